package io.conceptseg.encoder.vision;

import io.conceptseg.api.InvalidInputException;
import io.conceptseg.api.image.ImageData;
import io.conceptseg.api.image.ImageDecoder;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.FileImageInputStream;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import org.osgi.service.component.annotations.Component;

/**
 * Decodes PNG and JPEG files with the JDK's javax.imageio readers into RGB bytes.
 *
 * <p>The size is read from the header first, so a zero-size or oversized image is refused before
 * any pixel is decoded. A truncated file is an error, never a partly grey image: the JPEG reader
 * only <em>warns</em> on a premature end, so every reader warning counts as a failure.
 *
 * <p>Colour handling follows PIL's {@code Image.open(f).convert("RGB")}, which the training code
 * uses, so that train and serve see the same pixels: gray is replicated into R, G and B, palette
 * indices are looked up, <b>alpha is dropped</b> (not composited over a background, like PIL), and
 * embedded ICC profiles are ignored. 16-bit samples keep their high byte (PIL does the same for
 * 16-bit RGB; for 16-bit gray PIL clips instead, so training data should not be 16-bit gray).
 * EXIF orientation is not applied, as PIL does not apply it either.
 */
@Component(service = ImageDecoder.class)
public class ImageIoDecoder implements ImageDecoder {
    private static final List<String> FORMATS = List.of("png", "jpeg");

    @Override
    public ImageData decode(Path file) {
        if (file == null) {
            throw new InvalidInputException("image", "no file given");
        }
        String name = file.toString();
        if (!Files.exists(file)) {
            throw new InvalidInputException(name, "no such file");
        }
        if (Files.isDirectory(file)) {
            throw new InvalidInputException(name, "is a directory, not an image file");
        }
        try {
            if (Files.size(file) == 0) {
                throw new InvalidInputException(name, "the file is empty (0 bytes), not a PNG or JPEG image");
            }
            try (ImageInputStream in = new FileImageInputStream(file.toFile())) {
                return read(name, in);
            }
        } catch (NoSuchFileException e) {
            throw new InvalidInputException(name, "no such file", e);
        } catch (IOException e) {
            throw new InvalidInputException(name, "cannot read the file: " + e.getMessage(), e);
        }
    }

    @Override
    public ImageData decode(String name, byte[] bytes) {
        String label = name == null ? "image" : name;
        if (bytes == null || bytes.length == 0) {
            throw new InvalidInputException(label, "no bytes given (empty image), not a PNG or JPEG image");
        }
        // a memory cache: ImageIO's default stream would write a temp file
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            return read(label, in);
        } catch (IOException e) {
            throw new InvalidInputException(label, "cannot read the image: " + e.getMessage(), e);
        }
    }

    private static ImageData read(String name, ImageInputStream in) throws IOException {
        ImageReader reader = readerFor(name, in);
        try {
            // our own header check first: the readers refuse a zero size with messages that do not say so
            int[] declared = HeaderSize.read(in);
            if (declared != null) {
                ImageData.checkSize(name, declared[0], declared[1]);
            }
            in.seek(0);
            reader.setInput(in, true, true);
            int width;
            int height;
            try {
                width = reader.getWidth(0);
                height = reader.getHeight(0);
            } catch (IOException | RuntimeException e) {
                throw new InvalidInputException(name, "corrupt " + formatOf(reader) + " header: " + describe(e), e);
            }
            ImageData.checkSize(name, width, height);
            List<String> warnings = new ArrayList<>();
            reader.addIIOReadWarningListener(new WarningCollector(warnings));
            BufferedImage image;
            try {
                image = reader.read(0);
            } catch (IOException | RuntimeException e) {
                throw new InvalidInputException(name, "corrupt or truncated " + formatOf(reader) + " data: "
                        + describe(e), e);
            }
            if (!warnings.isEmpty()) {
                throw new InvalidInputException(name, "corrupt or truncated " + formatOf(reader) + " data: "
                        + String.join("; ", warnings));
            }
            if (image.getWidth() != width || image.getHeight() != height) {
                throw new InvalidInputException(name, "decoded " + image.getWidth() + "x" + image.getHeight()
                        + " pixels but the header says " + width + "x" + height);
            }
            return new ImageData(name, width, height, RgbPixels.of(name, image));
        } finally {
            reader.dispose();
        }
    }

    /** The PNG or JPEG reader that recognises the stream's first bytes. */
    private static ImageReader readerFor(String name, ImageInputStream in) {
        Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
        while (readers.hasNext()) {
            ImageReader r = readers.next();
            if (FORMATS.contains(formatOf(r).toLowerCase(Locale.ROOT))) {
                return r;
            }
        }
        throw new InvalidInputException(name, "not a PNG or JPEG image (unknown file format)");
    }

    private static String formatOf(ImageReader r) {
        try {
            return r.getFormatName().toUpperCase(Locale.ROOT);
        } catch (IOException e) {
            return "image";
        }
    }

    private static String describe(Throwable e) {
        StringBuilder b = new StringBuilder(String.valueOf(e.getMessage()));
        // the readers wrap the interesting cause (EOFException, ZipException) in an IIOException
        for (Throwable c = e.getCause(); c != null && c != e; c = c.getCause()) {
            b.append(" (").append(c.getClass().getSimpleName());
            if (c.getMessage() != null) {
                b.append(": ").append(c.getMessage());
            }
            b.append(')');
        }
        return b.toString();
    }

    /** Keeps the reader's warnings: for the JPEG reader they are how a truncated file shows. */
    private static final class WarningCollector implements IIOReadWarningListener {
        private final List<String> warnings;

        WarningCollector(List<String> warnings) { this.warnings = warnings; }

        @Override
        public void warningOccurred(ImageReader source, String warning) { warnings.add(warning); }
    }
}
