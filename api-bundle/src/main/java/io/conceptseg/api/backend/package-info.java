/** The backend SPI: hardware backends run named stages of a model package on tensors, report why they cannot run, and close what they open. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.conceptseg.api.backend;
