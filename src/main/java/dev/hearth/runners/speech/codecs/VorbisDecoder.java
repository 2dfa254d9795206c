package dev.hearth.runners.speech.codecs;

import com.jcraft.jogg.Packet;
import com.jcraft.jogg.Page;
import com.jcraft.jogg.StreamState;
import com.jcraft.jogg.SyncState;
import com.jcraft.jorbis.Block;
import com.jcraft.jorbis.Comment;
import com.jcraft.jorbis.DspState;
import com.jcraft.jorbis.Info;
import dev.hearth.runners.speech.AudioDecoder;

import java.io.IOException;

/**
 * Ogg Vorbis with JOrbis ({@code org.jcraft:jorbis}, LGPL-2.0), loaded only by {@code RuntimeClassLoader} from the
 * artifact cache. The loop is JOrbis's own decode example, made strict: a page that fails its checksum or a gap in
 * the pages (the Ogg layer reports both as a hole) is a damaged file, and a stream that ends without its last page
 * (the end-of-stream flag) is truncated. Only the first logical stream is read; the rest of a chained file is ignored.
 */
public final class VorbisDecoder implements AudioDecoder {

    private static final int CHUNK = 8192;

    @Override
    public Decoded decode(byte[] file, double maxSeconds) throws IOException {
        try {
            return read(file, maxSeconds);
        } catch (RuntimeException e) {
            // JOrbis indexes past its arrays on some damaged packets instead of reporting them
            throw new IOException("it is a damaged Ogg Vorbis file (" + e + ")", e);
        }
    }

    private Decoded read(byte[] file, double maxSeconds) throws IOException {
        SyncState sync = new SyncState();
        StreamState stream = new StreamState();
        Page page = new Page();
        Packet packet = new Packet();
        Info info = new Info();
        Comment comment = new Comment();
        int[] fed = {0};
        sync.init();
        feed(sync, file, fed);
        if (sync.pageout(page) != 1) throw new IOException("it is not an Ogg stream (no valid first page)");
        int serial = page.serialno();
        stream.init(serial);
        info.init();
        comment.init();
        if (stream.pagein(page) < 0 || stream.packetout(packet) != 1) throw new IOException("its first Ogg page holds no packet");
        if (info.synthesis_headerin(comment, packet) < 0) throw new IOException("its Ogg stream is not Vorbis");
        // the comment and codebook headers
        int headers = 0;
        while (headers < 2) {
            int r = sync.pageout(page);
            if (r == 0) {
                if (!feed(sync, file, fed)) throw new IOException("it is truncated: it ends inside its Vorbis headers");
                continue;
            }
            if (r < 0) throw new IOException("its Vorbis headers are damaged");
            stream.pagein(page);
            while (headers < 2) {
                int p = stream.packetout(packet);
                if (p == 0) break;
                if (p < 0 || info.synthesis_headerin(comment, packet) < 0) throw new IOException("its Vorbis headers are damaged");
                headers++;
            }
        }
        MonoSamples out = new MonoSamples(maxSeconds);
        out.format(info.rate, info.channels);
        DspState dsp = new DspState();
        dsp.synthesis_init(info);
        Block block = new Block(dsp);
        float[][][] pcm = new float[1][][];
        int[] index = new int[info.channels];
        boolean more = true;
        boolean ended = false;
        while (more && !ended) {
            int r = sync.pageout(page);
            if (r == 0) {
                if (!feed(sync, file, fed)) break;
                continue;
            }
            if (r < 0) throw new IOException("it is damaged: a page failed its checksum or is missing, near byte " + fed[0]);
            if (page.serialno() != serial) {
                // another logical stream multiplexed or chained after this one: not ours
                if (page.bos() != 0) {
                    ended = true;
                }
                continue;
            }
            stream.pagein(page);
            int p;
            while (more && (p = stream.packetout(packet)) != 0) {
                if (p < 0) throw new IOException("it is damaged: packets are missing near byte " + fed[0]);
                if (block.synthesis(packet) == 0) dsp.synthesis_blockin(block);
                int n;
                while (more && (n = dsp.synthesis_pcmout(pcm, index)) > 0) {
                    more = out.addPlanar(pcm[0], index, info.channels, n);
                    dsp.synthesis_read(n);
                }
            }
            if (page.eos() != 0) ended = true;
        }
        if (more && !ended) throw new IOException("it is truncated: the Ogg stream ends without its last page");
        if (out.size() == 0 && more) throw new IOException("its Vorbis stream has no samples");
        return out.result();
    }

    /** The next chunk of the file into the Ogg sync layer; false when all of it was given. */
    private static boolean feed(SyncState sync, byte[] file, int[] fed) {
        if (fed[0] >= file.length) return false;
        int n = Math.min(CHUNK, file.length - fed[0]);
        int at = sync.buffer(n);
        System.arraycopy(file, fed[0], sync.data, at, n);
        sync.wrote(n);
        fed[0] += n;
        return true;
    }
}
