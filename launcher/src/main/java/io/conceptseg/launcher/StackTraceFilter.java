package io.conceptseg.launcher;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * Drops the frame lines of stack traces ({@code \tat ...}, {@code \t... n more}) that bundles and
 * the Declarative Services runtime print on stderr, so a failure reads as its messages; prints a
 * hint once instead. Used unless the launcher runs with --debug. Everything else passes through
 * line by line.
 */
final class StackTraceFilter extends OutputStream {
    static final String HINT = "conceptseg: (stack trace hidden; run with --debug to see it)";
    private final PrintStream target;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private boolean hinted;

    StackTraceFilter(PrintStream target) {
        this.target = target;
    }

    @Override
    public synchronized void write(int b) {
        line.write(b);
        if (b == '\n') {
            emit();
        }
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            write(b[i]);
        }
    }

    @Override
    public synchronized void flush() throws IOException {
        // a partial line (a prompt, progress without newline) must still appear
        if (line.size() > 0) {
            emit();
        }
        target.flush();
    }

    private void emit() {
        byte[] bytes = line.toByteArray();
        line.reset();
        // frame markers are ASCII: decoding as ISO-8859-1 keeps bytes 1:1 whatever the encoding
        if (isFrame(new String(bytes, StandardCharsets.ISO_8859_1))) {
            if (!hinted) {
                hinted = true;
                target.println(HINT);
            }
            return;
        }
        target.write(bytes, 0, bytes.length);
    }

    static boolean isFrame(String line) {
        String t = line.stripLeading();
        return (line.startsWith("\t") || line.startsWith("    ")) && (t.startsWith("at ") || t.startsWith("... "));
    }
}
