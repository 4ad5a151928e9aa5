/** Segmenting concepts in images: requests, prompts, detections, results, the segmenter, task and evaluation services, and the exceptions every bundle throws. */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.2.0")
package io.conceptseg.api;
