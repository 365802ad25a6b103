package io.chargerstatus.incident;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.util.ArrayList;
import java.util.List;

/**
 * The evaluator's state as it is saved with its cursor: each followed charger and each open site incident as
 * one JSON document (Jackson, the model's own fields), so that another instance taking over resumes exactly.
 */
public final class IncidentState {
    private static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final List<String> watches;
    private final List<String> sites;

    private IncidentState(List<String> watches, List<String> sites) {
        this.watches = watches;
        this.sites = sites;
    }

    /** The whole state of a model (what a test round-trips; the evaluator saves only what changed). */
    public static IncidentState of(IncidentModel model) {
        List<String> w = new ArrayList<>();
        model.watches().values().forEach(x -> w.add(encode(x)));
        List<String> s = new ArrayList<>();
        model.sites().values().forEach(x -> s.add(encode(x)));
        return new IncidentState(w, s);
    }

    public static IncidentState of(List<String> watches, List<String> sites) {
        return new IncidentState(watches, sites);
    }

    public void restoreInto(IncidentModel model) {
        List<Watch> w = new ArrayList<>();
        for (String json : watches) {
            w.add(decode(json, Watch.class));
        }
        List<SiteIncident> s = new ArrayList<>();
        for (String json : sites) {
            s.add(decode(json, SiteIncident.class));
        }
        model.restore(w, s);
    }

    public static String encode(Object state) {
        try {
            return JSON.writeValueAsString(state);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the incident state", e);
        }
    }

    private static <T> T decode(String json, Class<T> type) {
        try {
            return JSON.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot read the saved incident state: " + e.getOriginalMessage(), e);
        }
    }
}
