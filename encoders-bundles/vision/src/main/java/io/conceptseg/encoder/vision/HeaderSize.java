package io.conceptseg.encoder.vision;

import java.io.IOException;
import javax.imageio.stream.ImageInputStream;

/**
 * Reads the width and height a PNG or JPEG header declares, without the ImageIO readers: they
 * refuse a zero size with messages that do not say so ("Image width &lt;= 0!", "Empty JPEG
 * image"), and the user should read "zero size".
 */
final class HeaderSize {
    private static final long PNG_SIGNATURE = 0x89504e470d0a1a0aL;
    private static final int IHDR = 0x49484452;

    private HeaderSize() { }

    /** {width, height} from the stream's start, or null when no PNG IHDR or JPEG SOF is found. */
    static int[] read(ImageInputStream in) {
        try {
            in.seek(0);
            int first = in.readUnsignedShort();
            if (first == 0xffd8) {
                return jpeg(in);
            }
            in.seek(0);
            if (in.readLong() == PNG_SIGNATURE && in.readInt() == 13 && in.readInt() == IHDR) {
                return new int[] {in.readInt(), in.readInt()};
            }
            return null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Walks the JPEG segments after SOI to the first start-of-frame marker. */
    private static int[] jpeg(ImageInputStream in) throws IOException {
        while (true) {
            int marker = in.readUnsignedShort();
            if ((marker & 0xff00) != 0xff00 || marker == 0xffd9 || marker == 0xffda) {
                return null;
            }
            int length = in.readUnsignedShort();
            boolean startOfFrame = marker >= 0xffc0 && marker <= 0xffcf
                    && marker != 0xffc4 && marker != 0xffc8 && marker != 0xffcc;
            if (startOfFrame) {
                in.readUnsignedByte();
                int height = in.readUnsignedShort();
                int width = in.readUnsignedShort();
                return new int[] {width, height};
            }
            in.skipBytes(length - 2);
        }
    }
}
