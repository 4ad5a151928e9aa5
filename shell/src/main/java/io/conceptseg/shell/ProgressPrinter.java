package io.conceptseg.shell;

import io.conceptseg.api.ProgressListener;
import java.io.PrintStream;
import java.util.Locale;

/**
 * Prints the progress of a long task for the first item and then at most {@value #STEPS} times, so
 * that a data set of thousands of images does not flood the terminal or a log file.
 */
final class ProgressPrinter implements ProgressListener {
    static final int STEPS = 20;
    private final String task;
    private final PrintStream out;
    private int lastStep = -1;

    ProgressPrinter(String task, PrintStream out) {
        this.task = task;
        this.out = out;
    }

    @Override
    public synchronized void progress(int done, int total, String item) {
        int step = total <= 0 ? done : (int) ((long) done * STEPS / total);
        if (step == lastStep && done != total) {
            return;
        }
        lastStep = step;
        if (total > 0) {
            out.printf(Locale.ROOT, "%s: %d/%d (%d%%) %s%n", task, done, total, (int) ((long) done * 100 / total), item);
        } else {
            out.printf(Locale.ROOT, "%s: %d %s%n", task, done, item);
        }
        out.flush();
    }
}
