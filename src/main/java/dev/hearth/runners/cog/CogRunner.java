package dev.hearth.runners.cog;

import dev.hearth.runners.RunInput;
import dev.hearth.runners.RunOutput;
import dev.hearth.runners.Runner;

import java.util.List;

/** A model served by one or more Cog servers that someone else runs (containers, other machines). */
final class CogRunner implements Runner {

    private final List<CogClient> servers;
    private final CogPredictions predictions;

    CogRunner(List<CogClient> servers, CogPredictions predictions) {
        this.servers = List.copyOf(servers);
        this.predictions = predictions;
    }

    @Override
    public RunOutput run(RunInput input) throws Exception {
        return predictions.run(input, () -> servers);
    }

    @Override
    public int instances() {
        return servers.size();
    }
}
