package io.conceptseg.api.backend;

import java.util.List;

/** Chooses which backend runs new requests: "auto" (highest priority available) or a named one. */
public interface BackendSelector {
    /** The id for automatic selection. */
    String AUTO = "auto";

    /** Every registered backend with its availability, in priority order. */
    List<BackendStatus> backends();

    /** The current choice: {@link #AUTO} or a backend id. */
    String selection();

    /**
     * Changes the choice for new requests; in-flight requests finish where they started.
     *
     * @throws io.conceptseg.api.NoBackendException when the named backend is unknown or unavailable
     */
    void select(String idOrAuto);
}
