package io.chargerstatus.incident;

import java.util.Set;
import java.util.TreeSet;

/** An open SiteOffline incident and the chargers it lists. */
public final class SiteIncident {
    public Incident incident;
    public Set<String> members = new TreeSet<>();
}
