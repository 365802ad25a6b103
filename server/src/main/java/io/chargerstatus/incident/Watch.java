package io.chargerstatus.incident;

import io.chargerstatus.incident.IncidentModel.Kind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** A charger as the rules follow it (public fields: persisted as JSON by the evaluator). */
public final class Watch {
    public String chargerId;
    public String accountId;
    public String siteId;
    public String status;
    public Map<Integer, String> connectors = new TreeMap<>();
    public Map<String, Condition> conditions = new TreeMap<>();
    /** When it entered a bad state, within the flapping window. */
    public List<Instant> entries = new ArrayList<>();
    /** Since when it has had no bad state (null while it has one). */
    public Instant goodSince;

    public Incident flapping;

    /** One bad state of a charger (Offline, Unavailable, or Faulted of the charger or one connector). */
    public static final class Condition {
        public Kind kind;
        public Integer connectorId;
        public long startSeq;
        public Instant startedAt;
        /** When the service saw the bad state begin: what the debounce counts from. */
        public Instant since;

        public String status;
        public String faultCode;
        public boolean bad = true;
        /** While its incident waits to resolve: since when the state has been good. */
        public Instant goodSince;
        /** An Unavailable asked for through this API's change-availability: never an incident. */
        public boolean operator;
        /** Not before this (the end of a maintenance window plus the debounce). */
        public Instant notBefore;

        public Incident incident;
        /** The SiteOffline incident this Offline is part of (instead of an incident of its own). */
        public String site;
    }
}
