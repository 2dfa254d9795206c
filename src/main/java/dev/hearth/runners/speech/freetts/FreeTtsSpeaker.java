package dev.hearth.runners.speech.freetts;

import com.sun.speech.freetts.Voice;
import com.sun.speech.freetts.audio.AudioPlayer;
import com.sun.speech.freetts.en.us.cmu_us_kal.KevinVoiceDirectory;
import dev.hearth.runners.speech.Speaker;

import javax.sound.sampled.AudioFormat;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * FreeTTS's CMU diphone voices ({@code kevin16}: 16 kHz, {@code kevin}: 8 kHz), speaking into memory. Loaded only
 * by {@code RuntimeClassLoader} from the {@code net.sf.sociaal:freetts} jar in the artifact cache; never name this
 * class in code that Hearth's own loader runs. A FreeTTS {@link Voice} keeps state while it speaks, so each call
 * borrows an allocated voice from a per-name pool and gives it back; allocation (lexicon and diphones) happens once
 * per pooled voice.
 */
public final class FreeTtsSpeaker implements Speaker {

    private final Map<String, Queue<Voice>> idle = new ConcurrentHashMap<>();
    private final List<Voice> allocated = new ArrayList<>();

    public FreeTtsSpeaker() {
        // The voice directory is named directly rather than through VoiceManager, which would need a system property.
        for (Voice v : new KevinVoiceDirectory().getVoices()) idle.put(v.getName(), new ConcurrentLinkedQueue<>());
        // Allocate the default voice now, so the cold boot (not the first call) pays for loading the lexicon.
        give(take("kevin16"));
    }

    @Override
    public List<String> voices() {
        return idle.keySet().stream().sorted().toList();
    }

    @Override
    public Speech speak(String text, String voiceName, float wordsPerMinute, float pitchHz) {
        Voice voice = take(voiceName);
        try {
            Capture capture = new Capture();
            voice.setAudioPlayer(capture);
            voice.setRate(wordsPerMinute);
            voice.setPitch(pitchHz);
            voice.speak(text);
            return new Speech(capture.bytes.toByteArray(), capture.format);
        } finally {
            give(voice);
        }
    }

    private Voice take(String name) {
        Queue<Voice> pool = idle.get(name);
        if (pool == null) throw new IllegalArgumentException("no voice '" + name + "'; this engine has " + voices());
        Voice v = pool.poll();
        if (v != null) return v;
        // Allocation loads shared lexicon data: one at a time.
        synchronized (allocated) {
            for (Voice fresh : new KevinVoiceDirectory().getVoices()) {
                if (!fresh.getName().equals(name)) continue;
                fresh.allocate();
                allocated.add(fresh);
                return fresh;
            }
        }
        throw new IllegalArgumentException("no voice '" + name + "'");
    }

    private void give(Voice v) {
        idle.get(v.getName()).add(v);
    }

    @Override
    public void close() {
        synchronized (allocated) {
            for (Voice v : allocated) v.deallocate();
            allocated.clear();
        }
    }

    /** An audio player that keeps what the voice says in memory instead of playing it. */
    private static final class Capture implements AudioPlayer {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        AudioFormat format;
        private float volume = 1f;

        @Override public void setAudioFormat(AudioFormat f) { format = f; }
        @Override public AudioFormat getAudioFormat() { return format; }
        @Override public void pause() { }
        @Override public void resume() { }
        @Override public void reset() { }
        @Override public boolean drain() { return true; }
        @Override public void begin(int size) { }
        @Override public boolean end() { return true; }
        @Override public void cancel() { }
        @Override public void close() { }
        @Override public float getVolume() { return volume; }
        @Override public void setVolume(float v) { volume = v; }
        @Override public long getTime() { return 0; }
        @Override public void resetTime() { }
        @Override public void startFirstSampleTimer() { }
        @Override public boolean write(byte[] audio) { return write(audio, 0, audio.length); }
        @Override public boolean write(byte[] audio, int offset, int size) {
            bytes.write(audio, offset, size);
            return true;
        }
        @Override public void showMetrics() { }
    }
}
