package io.conceptseg.api;

/** Receives progress of a long task (predict, eval). */
@FunctionalInterface
public interface ProgressListener {
    /** Ignores progress. */
    ProgressListener NONE = (done, total, item) -> { };

    /** @param done items finished, @param total items in all, @param item the item just finished */
    void progress(int done, int total, String item);
}
