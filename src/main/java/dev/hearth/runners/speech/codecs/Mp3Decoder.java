package dev.hearth.runners.speech.codecs;

import dev.hearth.runners.speech.AudioDecoder;
import javazoom.jl.decoder.Bitstream;
import javazoom.jl.decoder.BitstreamException;
import javazoom.jl.decoder.Decoder;
import javazoom.jl.decoder.DecoderException;
import javazoom.jl.decoder.Header;
import javazoom.jl.decoder.SampleBuffer;

import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * MPEG-1/2/2.5 audio layers I–III with JLayer ({@code com.googlecode.soundlibs:jlayer}, LGPL-2.1), loaded only by
 * {@code RuntimeClassLoader} from the artifact cache. JLayer pads a frame cut off by the end of the file with zeros
 * and skips bytes that are not frames, so both are checked here from the frames' own sizes: a file whose last frame
 * runs past its end is truncated, and one whose frames cover less than half of its bytes is mostly not MP3. The
 * Xing/LAME information frame that encoders put first holds no audio and is skipped, as players do (its silence
 * would shift every word's time), but its frame count is checked: a file cut exactly between two frames has fewer
 * than it declares. The encoder's own delay (about 0.07 s at 16 kHz with LAME) stays.
 */
public final class Mp3Decoder implements AudioDecoder {

    @Override
    public Decoded decode(byte[] file, double maxSeconds) throws IOException {
        MonoSamples out = new MonoSamples(maxSeconds);
        Bitstream stream = new Bitstream(new ByteArrayInputStream(file));
        Decoder decoder = new Decoder();
        long tag = id3v2Size(file);
        long framed = 0;
        int frames = 0;
        long declaredFrames = -1;
        try {
            Header h;
            while ((h = stream.readFrame()) != null) {
                // framesize excludes the 4-byte header
                framed += h.framesize + 4L;
                if (tag + framed > file.length) {
                    throw new IOException("it is truncated: frame " + (frames + 1) + " needs " + (tag + framed - file.length)
                            + " bytes more than the file has");
                }
                SampleBuffer pcm = (SampleBuffer) decoder.decodeFrame(h, stream);
                out.format(pcm.getSampleFrequency(), pcm.getChannelCount());
                frames++;
                if (frames == 1 && (declaredFrames = infoFrameCount(file, (int) tag, h.framesize + 4)) != -1) {
                    stream.closeFrame();
                    continue;
                }
                boolean more = out.addInterleaved(pcm.getBuffer(), pcm.getBufferLength(), pcm.getChannelCount());
                stream.closeFrame();
                if (!more) break;
            }
        } catch (BitstreamException | DecoderException e) {
            throw new IOException("it is not a readable MP3 (" + e.getMessage() + ")", e);
        } catch (RuntimeException e) {
            // JLayer indexes past its tables on some damaged frames instead of reporting them
            throw new IOException("it is a damaged MP3 (frame " + (frames + 1) + ": " + e + ")", e);
        }
        if (frames == 0) throw new IOException("it has no MPEG audio frames");
        Decoded d = out.result();
        // JLayer stops without a word at a last frame that the file cuts off
        long end = tag + framed;
        if (!d.cutAtLimit() && file.length - end >= 2 && (file[(int) end] & 0xff) == 0xff && (file[(int) end + 1] & 0xe0) == 0xe0) {
            throw new IOException("it is truncated: its last frame, at byte " + end + ", is cut off after " + (file.length - end) + " bytes");
        }
        if (!d.cutAtLimit() && declaredFrames > 0 && frames - 1 < declaredFrames) {
            throw new IOException("it is truncated: it has " + (frames - 1) + " of the " + declaredFrames + " frames its header declares");
        }
        if (!d.cutAtLimit() && framed * 2 < file.length - tag) {
            throw new IOException("it is mostly not MP3: its " + frames + " frames cover " + framed + " of its " + (file.length - tag) + " bytes");
        }
        return d;
    }

    /**
     * The encoder's information frame, "Xing" (VBR) or "Info" (CBR) after the side information in the first frame:
     * -1 when the frame is not one, else the number of audio frames it declares (0 when it declares none).
     */
    static long infoFrameCount(byte[] file, int at, int size) {
        int to = Math.min(file.length, at + Math.min(size, 64));
        for (int i = at + 4; i + 4 <= to; i++) {
            if ((file[i] == 'X' && file[i + 1] == 'i' && file[i + 2] == 'n' && file[i + 3] == 'g')
                    || (file[i] == 'I' && file[i + 1] == 'n' && file[i + 2] == 'f' && file[i + 3] == 'o')) {
                // then 4 bytes of flags; bit 0: a 4-byte big-endian frame count follows
                if (i + 12 > file.length || (file[i + 7] & 1) == 0) return 0;
                return ((file[i + 8] & 0xffL) << 24) | ((file[i + 9] & 0xff) << 16) | ((file[i + 10] & 0xff) << 8) | (file[i + 11] & 0xff);
            }
        }
        return -1;
    }

    /** The size of a leading ID3v2 tag (header, synchsafe length, optional footer), which JLayer skips; 0 without one. */
    static long id3v2Size(byte[] b) {
        if (b.length < 10 || b[0] != 'I' || b[1] != 'D' || b[2] != '3') return 0;
        long size = ((b[6] & 0x7f) << 21) | ((b[7] & 0x7f) << 14) | ((b[8] & 0x7f) << 7) | (b[9] & 0x7f);
        boolean footer = (b[5] & 0x10) != 0;
        return 10 + size + (footer ? 10 : 0);
    }
}
