package dev.zapdesk.embeddedmongo;

import java.util.List;

import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.bson.Document;

/**
 * mongo-java-server answers a query from an index only when the query names exactly the index's
 * fields. So the compare-and-set {@code {_id, companyId, version}} that every versioned write is,
 * or {@code {openKey, companyId}}, reads the whole collection. MongoDB narrows by the index and
 * checks the other conditions on what it found; this does the same: when a unique index's fields
 * all appear in the query as plain equalities, the index finds the (at most one) candidate and the
 * engine's own matcher applies the whole query to it.
 */
final class UniqueIndexLookup {

    private UniqueIndexLookup() {
    }

    /**
     * The positions of the documents that may match {@code query}, from the first unique index
     * that can narrow it, or null when none can (the engine then answers as it would).
     */
    static <P> Iterable<P> candidates(List<Index<P>> indexes, Document query) {
        for (Index<P> index : indexes) {
            Document narrowing = narrowingQuery(index, query);
            if (narrowing != null) {
                return index.getPositions(narrowing);
            }
        }
        return null;
    }

    /** The part of {@code query} that {@code index} can answer alone, or null. */
    static <P> Document narrowingQuery(Index<P> index, Document query) {
        if (!index.isUnique() || query.size() <= index.getKeys().size()) {
            return null;
        }
        List<IndexKey> keys = index.getKeys();
        Document narrowing = new Document();
        for (IndexKey key : keys) {
            if (!query.containsKey(key.getKey())) {
                return null;
            }
            Object value = query.get(key.getKey());
            // Operators ($gt, $in, ...), sub-documents and null are left to the engine as they are.
            if (value == null || value instanceof Document || key.getKey().startsWith("$")) {
                return null;
            }
            narrowing.put(key.getKey(), value);
        }
        return index.canHandle(narrowing) ? narrowing : null;
    }
}
