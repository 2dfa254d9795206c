package dev.hearth.runners.speech;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.hearth.runners.MediaBlob;
import dev.hearth.runners.RunFailure;
import dev.hearth.runners.RunInput;
import dev.hearth.runners.RunOutput;
import dev.hearth.runners.Runner;
import dev.hearth.runners.image.InputImages;

import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * {@code speech-to-text}: {@code audio} (required; WAV) in, {@code {"text", "words": [{"word", "start", "end"}],
 * "duration"}} out, times in seconds from the start of the recording. Each call borrows a decoder of its own
 * (pocketsphinx decoders are not thread-safe); a slot that finds none free makes one, so there are never more
 * decoders than calls the model has run at once.
 */
final class TranscriptionRunner implements Runner {

    private final PocketSphinx engine;
    private final ConcurrentLinkedDeque<PocketSphinx.Decoder> idle = new ConcurrentLinkedDeque<>();
    private final double maxSeconds;

    TranscriptionRunner(PocketSphinx engine, PocketSphinx.Decoder first, double maxSeconds) {
        this.engine = engine;
        this.maxSeconds = maxSeconds;
        idle.push(first);
    }

    @Override
    public RunOutput run(RunInput input) throws Exception {
        SpeechAudio.Samples audio = read(input);
        PocketSphinx.Decoder decoder = idle.poll();
        if (decoder == null) decoder = engine.decoder();
        PocketSphinx.Transcript t;
        try {
            t = decoder.decode(audio.pcm());
        } finally {
            idle.push(decoder);
        }
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("text", t.text());
        ArrayNode words = body.putArray("words");
        for (PocketSphinx.Word w : t.words()) {
            words.addObject().put("word", w.word()).put("start", round(w.start())).put("end", round(Math.min(w.end(), audio.seconds())));
        }
        body.put("duration", round(audio.seconds()));
        return new RunOutput.Json(body, 0);
    }

    /** The gateway's checked media when there is one, else the parameter as a data: URL or base64 (a runner called directly). */
    private SpeechAudio.Samples read(RunInput input) throws RunFailure {
        MediaBlob blob = input.media().get("audio");
        if (blob != null) return SpeechAudio.read(blob.bytes(), blob.contentType(), "audio", maxSeconds, PocketSphinx.SAMPLE_RATE);
        var v = input.params().get("audio");
        if (v == null || !v.isTextual()) throw new RunFailure("'audio' is required: send a WAV file as a URL, a data: URL or base64");
        String s = v.textValue().strip();
        if (s.regionMatches(true, 0, "data:", 0, 5)) {
            int comma = s.indexOf(',');
            if (comma < 0) throw new RunFailure("'audio' is a data: URL without a comma before its data");
            s = s.substring(comma + 1);
        }
        byte[] bytes;
        try {
            bytes = InputImages.bytes(s, "audio");
        } catch (RunFailure e) {
            throw new RunFailure(e.getMessage().replace("image", "audio file"));
        }
        return SpeechAudio.read(bytes, null, "audio", maxSeconds, PocketSphinx.SAMPLE_RATE);
    }

    static double round(double seconds) {
        return Math.round(seconds * 100) / 100.0;
    }

    @Override
    public void close() {
        PocketSphinx.Decoder d;
        while ((d = idle.poll()) != null) d.close();
    }

    @Override
    public String toString() {
        return "pocketsphinx en-us";
    }
}
