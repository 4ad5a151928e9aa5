/** Decoded images and the decoder service that turns files and bytes into them. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.conceptseg.api.image;
