package dev.hearth.runners.speech;

import dev.hearth.runners.RunFailure;

import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.UnsupportedAudioFileException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Locale;

/**
 * Audio as a recogniser wants it: 16 kHz, mono, 16-bit samples. The format is told by the bytes' signature
 * ({@link AudioContainer}). WAV, AIFF and AU (PCM 8/16/24/32-bit, float, µ-law or A-law, any rate and channel count)
 * are read by the JDK's sound API; MP3, Ogg Vorbis and FLAC by the decoders the runner was booted with
 * ({@link AudioDecoders}). The channels are mixed down and the rate changed with a windowed-sinc filter, which also
 * removes what lies above the new Nyquist frequency (plain decimation would fold it back as noise). Anything else is
 * refused by name, with what to send instead.
 */
final class SpeechAudio {

    private SpeechAudio() {
    }

    /** The decoded samples at {@code rate}, and how long the recording lasts. */
    record Samples(short[] pcm, int rate, double seconds, float sourceRate, int sourceChannels, AudioContainer format) {
    }

    static Samples read(byte[] bytes, String field, double maxSeconds, int rate, AudioDecoders decoders) throws RunFailure {
        AudioContainer format = AudioContainer.of(bytes);
        if (format.jdk) return readWithJdk(bytes, format, field, maxSeconds, rate, decoders);
        AudioDecoder decoder = decoders.get(format);
        if (format == AudioContainer.UNKNOWN) {
            throw new RunFailure("'" + field + "' is not a recording this model reads (its first bytes are no WAV, AIFF, AU, MP3, Ogg or FLAC signature): send "
                    + decoders.readable() + " (any sample rate, mono or stereo)");
        }
        if (decoder == null) {
            throw new RunFailure("'" + field + "' is " + format.label + ", a format this model does not decode: send "
                    + decoders.readable() + " (any sample rate, mono or stereo)");
        }
        AudioDecoder.Decoded d;
        try {
            d = decoder.decode(bytes, maxSeconds);
        } catch (java.io.IOException e) {
            throw new RunFailure("'" + field + "' is not a readable " + format.label + " file: " + e.getMessage());
        }
        if (d.cutAtLimit()) {
            throw new RunFailure(String.format(Locale.ROOT, "'%s' lasts more than %.0f s; this model transcribes at most %.0f s per call: split the recording",
                    field, maxSeconds, maxSeconds));
        }
        return samples(d.mono(), d.sampleRate(), d.channels(), format, field, maxSeconds, rate);
    }

    private static Samples readWithJdk(byte[] bytes, AudioContainer format, String field, double maxSeconds, int rate, AudioDecoders decoders) throws RunFailure {
        AudioInputStream in;
        try {
            in = AudioSystem.getAudioInputStream(new ByteArrayInputStream(bytes));
        } catch (UnsupportedAudioFileException | IOException e) {
            throw new RunFailure("'" + field + "' looks like " + format.label + " but its header is not readable (" + e.getMessage() + "): send "
                    + decoders.readable() + " (any sample rate, mono or stereo)");
        }
        AudioFormat f = in.getFormat();
        double seconds = in.getFrameLength() > 0 && f.getFrameRate() > 0 ? in.getFrameLength() / (double) f.getFrameRate() : -1;
        if (seconds > maxSeconds) throw tooLong(field, seconds, maxSeconds);
        float[] mono;
        try {
            mono = monoFloats(in, f, field);
        } catch (IOException e) {
            throw new RunFailure("'" + field + "' is a damaged audio file (" + e.getMessage() + ")");
        }
        return samples(mono, f.getSampleRate(), f.getChannels(), format, field, maxSeconds, rate);
    }

    private static Samples samples(float[] mono, float sourceRate, int channels, AudioContainer format, String field, double maxSeconds, int rate) throws RunFailure {
        double seconds = mono.length / (double) sourceRate;
        if (seconds > maxSeconds) throw tooLong(field, seconds, maxSeconds);
        if (mono.length == 0) throw new RunFailure("'" + field + "' has no samples: the recording is empty");
        float[] resampled = resample(mono, sourceRate, rate);
        short[] pcm = new short[resampled.length];
        for (int i = 0; i < pcm.length; i++) pcm[i] = (short) Math.max(-32768, Math.min(32767, Math.round(resampled[i] * 32767f)));
        return new Samples(pcm, rate, seconds, sourceRate, channels, format);
    }

    private static RunFailure tooLong(String field, double seconds, double max) {
        return new RunFailure(String.format(Locale.ROOT, "'%s' lasts %.1f s; this model transcribes at most %.0f s per call: split the recording", field, seconds, max));
    }

    /** Every frame as one float in [-1, 1]: the mean of its channels. */
    private static float[] monoFloats(AudioInputStream in, AudioFormat f, String field) throws IOException, RunFailure {
        AudioFormat.Encoding enc = f.getEncoding();
        int channels = f.getChannels();
        int bits = f.getSampleSizeInBits();
        AudioInputStream pcm = in;
        boolean linear = enc.equals(AudioFormat.Encoding.PCM_SIGNED) || enc.equals(AudioFormat.Encoding.PCM_UNSIGNED) || enc.equals(AudioFormat.Encoding.PCM_FLOAT);
        if (!linear) {
            // µ-law and A-law: the JDK converts them to 16-bit linear PCM
            AudioFormat target = new AudioFormat(AudioFormat.Encoding.PCM_SIGNED, f.getSampleRate(), 16, channels, channels * 2, f.getFrameRate(), false);
            if (!AudioSystem.isConversionSupported(target, f)) throw new RunFailure("'" + field + "' is WAV encoded as " + enc + ", which this model does not decode: send PCM WAV");
            pcm = AudioSystem.getAudioInputStream(target, in);
            enc = AudioFormat.Encoding.PCM_SIGNED;
            bits = 16;
        }
        byte[] data = pcm.readAllBytes();
        int bytesPer = (bits + 7) / 8;
        if (bytesPer < 1 || bytesPer > 4 || channels < 1) throw new RunFailure("'" + field + "' has " + bits + "-bit samples in " + channels + " channels, which this model does not read");
        int frameSize = bytesPer * channels;
        int frames = data.length / frameSize;
        boolean big = pcm.getFormat().isBigEndian();
        boolean isFloat = enc.equals(AudioFormat.Encoding.PCM_FLOAT);
        boolean unsigned = enc.equals(AudioFormat.Encoding.PCM_UNSIGNED);
        float[] out = new float[frames];
        double scale = 1.0 / (1L << (bits - 1));
        for (int i = 0; i < frames; i++) {
            double sum = 0;
            for (int c = 0; c < channels; c++) {
                int off = i * frameSize + c * bytesPer;
                long v = 0;
                for (int b = 0; b < bytesPer; b++) {
                    int byteVal = data[off + (big ? b : bytesPer - 1 - b)] & 0xff;
                    v = (v << 8) | byteVal;
                }
                double s;
                if (isFloat && bytesPer == 4) {
                    s = Float.intBitsToFloat((int) v);
                } else if (unsigned) {
                    s = (v - (1L << (bits - 1))) * scale;
                } else {
                    long signed = (v << (64 - 8 * bytesPer)) >> (64 - 8 * bytesPer);
                    s = signed * scale;
                }
                sum += s;
            }
            out[i] = (float) (sum / channels);
        }
        return out;
    }

    /** Half-width of the sinc filter, in input samples at the lower of the two rates. */
    private static final int TAPS = 16;

    /**
     * Band-limited resampling: each output sample is the input convolved with a sinc low-passed at the lower rate's
     * Nyquist frequency, under a Hann window. Plain and O(n × taps); 10 minutes of 48 kHz audio takes well under a second.
     */
    static float[] resample(float[] in, float fromRate, int toRate) {
        if (Math.abs(fromRate - toRate) < 0.5f) return in;
        double ratio = toRate / (double) fromRate;
        int n = (int) Math.floor(in.length * ratio);
        float[] out = new float[n];
        double cutoff = Math.min(1.0, ratio);
        double halfWidth = TAPS / cutoff;
        for (int i = 0; i < n; i++) {
            double center = i / ratio;
            int lo = (int) Math.ceil(center - halfWidth);
            int hi = (int) Math.floor(center + halfWidth);
            double sum = 0;
            double weights = 0;
            for (int j = Math.max(0, lo); j <= Math.min(in.length - 1, hi); j++) {
                double x = j - center;
                double t = x * cutoff;
                double sinc = t == 0 ? 1 : Math.sin(Math.PI * t) / (Math.PI * t);
                double window = 0.5 + 0.5 * Math.cos(Math.PI * x / halfWidth);
                double w = sinc * window;
                sum += in[j] * w;
                weights += w;
            }
            out[i] = (float) (weights == 0 ? 0 : sum / weights);
        }
        return out;
    }
}
