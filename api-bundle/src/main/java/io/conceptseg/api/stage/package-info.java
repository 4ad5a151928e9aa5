/** The model's stages as services: vision, text, geometry/exemplar prompt, fusion, decoder, presence head and tracker. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package io.conceptseg.api.stage;
