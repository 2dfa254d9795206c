package dev.hearth.workflows;

import dev.hearth.http.ApiException;
import dev.hearth.http.Json;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Clock;
import java.util.Map;

/**
 * The workflows every Hearth ships (issue: PixelFlow templates): "embed and compare", "upscale then OCR",
 * "read aloud" (OCR then text to speech), "cut out, then upscale" (background removal then esrgan) and "speak, then
 * transcribe" (text to speech then speech to text: an honest round trip that shows what each model keeps),
 * published and public, owned by a built-in account that has no keys and no credits. Installed at start when
 * missing, so restarts change nothing; a template whose models or operations this Hearth lacks is left out
 * (and tried again at the next start).
 */
public final class Templates {

    private static final Logger log = LoggerFactory.getLogger(Templates.class);

    public static final String ACCOUNT_ID = dev.hearth.accounts.Account.SYSTEM_PREFIX + "templates";
    public static final String EMBED_AND_COMPARE = "wftemplateembedandcompare";
    public static final String UPSCALE_THEN_OCR = "wftemplateupscalethenocr";
    public static final String READ_ALOUD = "wftemplatereadaloud";
    public static final String CUT_OUT_THEN_UPSCALE = "wftemplatecutoutthenupscale";
    public static final String SPEAK_THEN_TRANSCRIBE = "wftemplatespeakthentranscribe";

    private static final Map<String, String> NAMES = Map.of(EMBED_AND_COMPARE, "embed and compare", UPSCALE_THEN_OCR, "upscale then OCR",
            READ_ALOUD, "read aloud", CUT_OUT_THEN_UPSCALE, "cut out, then upscale", SPEAK_THEN_TRANSCRIBE, "speak, then transcribe");

    /** Two texts → two embeddings → cosine similarity → a number (higher when the texts mean the same). */
    static final String EMBED_AND_COMPARE_GRAPH = """
            {"nodes": [
              {"id": "text_a", "type": "input", "name": "text_a", "params": {"type": "text", "default": "A cat sits on the mat."}},
              {"id": "text_b", "type": "input", "name": "text_b", "params": {"type": "text", "default": "A kitten is lying on a rug."}},
              {"id": "embed_a", "type": "model", "model": "bge-small-en-v1.5", "params": {}},
              {"id": "embed_b", "type": "model", "model": "bge-small-en-v1.5", "params": {}},
              {"id": "compare", "type": "operation", "operation": "cosine_similarity", "params": {}},
              {"id": "similarity", "type": "output", "name": "similarity", "params": {}}
            ],
            "edges": [
              {"from": "text_a.value", "to": "embed_a.text"},
              {"from": "text_b.value", "to": "embed_b.text"},
              {"from": "embed_a.embedding", "to": "compare.a"},
              {"from": "embed_b.embedding", "to": "compare.b"},
              {"from": "compare.similarity", "to": "similarity.value"}
            ]}
            """;

    /** An image → upscaled twice its size → the text OCR reads in it. */
    static final String UPSCALE_THEN_OCR_GRAPH = """
            {"nodes": [
              {"id": "image", "type": "input", "name": "image", "params": {"type": "image"}},
              {"id": "upscale", "type": "model", "model": "esrgan", "params": {"scale": 2, "output_format": "png"}},
              {"id": "read", "type": "model", "model": "ocr", "params": {}},
              {"id": "text", "type": "output", "name": "text", "params": {}}
            ],
            "edges": [
              {"from": "image.value", "to": "upscale.image"},
              {"from": "upscale.image", "to": "read.image"},
              {"from": "read.text", "to": "text.value"}
            ]}
            """;

    /** An image of text → the text OCR reads in it → that text spoken as a WAV file. */
    static final String READ_ALOUD_GRAPH = """
            {"nodes": [
              {"id": "image", "type": "input", "name": "image", "params": {"type": "image"}},
              {"id": "read", "type": "model", "model": "ocr", "params": {}},
              {"id": "speak", "type": "model", "model": "text-to-speech", "params": {"voice": "kevin16"}},
              {"id": "audio", "type": "output", "name": "audio", "params": {}}
            ],
            "edges": [
              {"from": "image.value", "to": "read.image"},
              {"from": "read.text", "to": "speak.text"},
              {"from": "speak.audio", "to": "audio.value"}
            ]}
            """;

    /** A photo → the people cut out (transparent background) → twice the size, still transparent, as PNG. */
    static final String CUT_OUT_THEN_UPSCALE_GRAPH = """
            {"nodes": [
              {"id": "image", "type": "input", "name": "image", "params": {"type": "image"}},
              {"id": "cut_out", "type": "model", "model": "background-removal", "params": {}},
              {"id": "upscale", "type": "model", "model": "esrgan", "params": {"scale": 2, "output_format": "png"}},
              {"id": "result", "type": "output", "name": "image", "params": {}}
            ],
            "edges": [
              {"from": "image.value", "to": "cut_out.image"},
              {"from": "cut_out.image", "to": "upscale.image"},
              {"from": "upscale.image", "to": "result.value"}
            ]}
            """;

    /**
     * A text → spoken by FreeTTS (16 kHz WAV) → heard back by pocketsphinx → the transcript. The speech model's WAV
     * goes to the recogniser as it is; the recogniser resamples whatever rate it is given to its 16 kHz.
     */
    static final String SPEAK_THEN_TRANSCRIBE_GRAPH = """
            {"nodes": [
              {"id": "text", "type": "input", "name": "text", "params": {"type": "text", "default": "Please call me back after the meeting tomorrow morning."}},
              {"id": "speak", "type": "model", "model": "text-to-speech", "params": {"voice": "kevin16"}},
              {"id": "transcribe", "type": "model", "model": "speech-to-text", "params": {}},
              {"id": "transcript", "type": "output", "name": "transcript", "params": {}}
            ],
            "edges": [
              {"from": "text.value", "to": "speak.text"},
              {"from": "speak.audio", "to": "transcribe.audio"},
              {"from": "transcribe.text", "to": "transcript.value"}
            ]}
            """;

    private Templates() {
    }

    /** Creates the templates account and any missing template; returns how many templates were installed now. */
    public static int install(Jdbi jdbi, Workflows workflows, WorkflowStore store, String plan, Clock clock) {
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO accounts (id, name, plan, status, created_at) VALUES (:id, 'Hearth templates', :plan, "
                + "'active', :now) ON CONFLICT (id) DO NOTHING").bind("id", ACCOUNT_ID).bind("plan", plan).bind("now", clock.millis()).execute());
        int installed = 0;
        for (var t : Map.of(EMBED_AND_COMPARE, EMBED_AND_COMPARE_GRAPH, UPSCALE_THEN_OCR, UPSCALE_THEN_OCR_GRAPH,
                READ_ALOUD, READ_ALOUD_GRAPH, CUT_OUT_THEN_UPSCALE, CUT_OUT_THEN_UPSCALE_GRAPH,
                SPEAK_THEN_TRANSCRIBE, SPEAK_THEN_TRANSCRIBE_GRAPH).entrySet()) {
            if (store.find(t.getKey()).isPresent()) continue;
            try {
                workflows.saveTemplate(t.getKey(), ACCOUNT_ID, NAMES.get(t.getKey()), WorkflowGraph.parse(Json.MAPPER.readTree(t.getValue())));
                installed++;
            } catch (ApiException e) {
                log.warn("template '{}' not installed: {}", NAMES.get(t.getKey()), e.getMessage());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        return installed;
    }
}
