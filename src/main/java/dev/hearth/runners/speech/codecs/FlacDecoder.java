package dev.hearth.runners.speech.codecs;

import dev.hearth.runners.speech.AudioDecoder;
import org.jflac.FLACDecoder;
import org.jflac.frame.Frame;
import org.jflac.metadata.StreamInfo;
import org.jflac.util.ByteData;

import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * FLAC with jFLAC ({@code org.jflac:jflac-codec}, LGPL-2.1), loaded only by {@code RuntimeClassLoader} from the
 * artifact cache. Frames are decoded one at a time, so decoding stops at the caller's limit; a frame that fails its
 * checksum makes the file damaged, and fewer samples than the stream header announces make it truncated.
 */
public final class FlacDecoder implements AudioDecoder {

    @Override
    public Decoded decode(byte[] file, double maxSeconds) throws IOException {
        try {
            return read(file, maxSeconds);
        } catch (RuntimeException e) {
            throw new IOException("it is a damaged FLAC file (" + e + ")", e);
        }
    }

    private Decoded read(byte[] file, double maxSeconds) throws IOException {
        FLACDecoder decoder = new FLACDecoder(new ByteArrayInputStream(file));
        decoder.readMetadata();
        StreamInfo info = decoder.getStreamInfo();
        if (info == null) throw new IOException("it has no FLAC stream header");
        int bits = info.getBitsPerSample();
        int channels = info.getChannels();
        if (bits < 4 || bits > 32) throw new IOException("it has " + bits + "-bit samples");
        MonoSamples out = new MonoSamples(maxSeconds);
        out.format(info.getSampleRate(), channels);
        int bytesPer = (bits + 7) / 8;
        double scale = 1.0 / (1L << (bytesPer * 8 - 1));
        ByteData pcm = null;
        long decoded = 0;
        boolean more = true;
        while (more && !decoder.isEOF()) {
            Frame frame = decoder.readNextFrame();
            if (frame == null) break;
            if (decoder.getBadFrames() > 0) throw new IOException("it is damaged: a frame failed its checksum");
            pcm = decoder.decodeFrame(frame, pcm);
            // jFLAC's PCM: little-endian, interleaved, whole bytes per sample (8-bit unsigned, wider signed)
            byte[] b = pcm.getData();
            int frames = pcm.getLen() / (bytesPer * channels);
            float[][] planar = new float[channels][frames];
            for (int i = 0; i < frames; i++) {
                for (int c = 0; c < channels; c++) {
                    int off = (i * channels + c) * bytesPer;
                    long v = 0;
                    for (int k = bytesPer - 1; k >= 0; k--) v = (v << 8) | (b[off + k] & 0xff);
                    double s = bytesPer == 1 ? ((v & 0xff) - 128) / 128.0 : ((v << (64 - 8 * bytesPer)) >> (64 - 8 * bytesPer)) * scale;
                    planar[c][i] = (float) s;
                }
            }
            decoded += frames;
            more = out.addPlanar(planar, new int[channels], channels, frames);
        }
        if (decoder.getBadFrames() > 0) throw new IOException("it is damaged: a frame failed its checksum");
        if (more && info.getTotalSamples() > 0 && decoded < info.getTotalSamples()) {
            throw new IOException("it is truncated: " + decoded + " of the " + info.getTotalSamples() + " samples its header announces");
        }
        if (out.size() == 0) throw new IOException("its FLAC stream has no samples");
        return out.result();
    }
}
