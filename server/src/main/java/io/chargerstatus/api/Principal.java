package io.chargerstatus.api;

/**
 * Who is calling: an admin (all accounts, {@code accountId == null}) or one account, through the API
 * token {@code tokenId} (null for the admin token).
 *
 * <p>Scoping rule: an account principal asking about another account's data gets 404, never the data
 * and never a hint that it exists.
 */
public record Principal(String accountId, String tokenId) {
    public static final Principal ADMIN = new Principal(null, null);

    public boolean admin() {
        return accountId == null;
    }

    /** The account filter to apply: the requested one, checked against the principal's scope. */
    public String scope(String requested) {
        if (admin()) {
            return requested;
        }
        if (requested != null && !requested.equals(accountId)) {
            throw ApiError.notFound("no account " + requested);
        }
        return accountId;
    }

    public void requireAdmin() {
        if (!admin()) {
            throw ApiError.forbidden("this route needs the admin token");
        }
    }
}
