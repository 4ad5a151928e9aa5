/** Model packages and concept banks: descriptors parsed from model.json and bank files, and the registries that publish them. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package io.conceptseg.api.model;
