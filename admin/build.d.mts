/** Builds admin/dist when it is missing or older than a source; returns whether it built. */
export declare const ensureAdminBuilt: () => boolean
