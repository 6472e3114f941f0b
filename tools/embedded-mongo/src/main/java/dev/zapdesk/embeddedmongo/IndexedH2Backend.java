package dev.zapdesk.embeddedmongo;

import java.util.List;

import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.h2.H2Backend;
import de.bwaldvogel.mongo.backend.h2.H2Collection;
import de.bwaldvogel.mongo.backend.h2.H2Database;
import de.bwaldvogel.mongo.bson.Document;

/**
 * The H2 backend (an MVStore file), with queries narrowed by a unique index (see
 * {@link UniqueIndexLookup}). Collections are stored exactly as H2Backend stores them, so files
 * written by either open with the other.
 */
final class IndexedH2Backend extends H2Backend {

    /** mongo-java-server 1.47's map names (package-private there): data and metadata of a collection. */
    private static final String DATA_MAP_PREFIX = "databases.";
    private static final String META_MAP_PREFIX = "meta.";

    IndexedH2Backend(String fileName) {
        super(MVStore.open(fileName));
    }

    @Override
    protected MongoDatabase openOrCreateDatabase(String databaseName) {
        return new Database(databaseName, getCursorRegistry());
    }

    /**
     * An inner class on purpose: H2Database's constructor already opens collections, before any
     * field of a subclass is set, so the store is read from the backend (set before that).
     */
    private final class Database extends H2Database {
        Database(String databaseName, CursorRegistry cursorRegistry) {
            super(databaseName, getMvStore(), cursorRegistry);
        }

        @Override
        protected MongoCollection<Object> openOrCreateCollection(String collectionName, CollectionOptions options) {
            String fullName = getFullCollectionNamespace(collectionName);
            MVStore store = getMvStore();
            MVMap<Object, Document> dataMap = store.openMap(DATA_MAP_PREFIX + fullName);
            MVMap<String, Object> metaMap = store.openMap(META_MAP_PREFIX + fullName);
            return new Collection(this, collectionName, options, dataMap, metaMap, cursorRegistry);
        }
    }

    private static final class Collection extends H2Collection {
        Collection(MongoDatabase database, String collectionName, CollectionOptions options,
                   MVMap<Object, Document> dataMap, MVMap<String, Object> metaMap, CursorRegistry cursorRegistry) {
            super(database, collectionName, options, dataMap, metaMap, cursorRegistry);
        }

        @Override
        protected QueryResult queryDocuments(Document query, Document orderBy, int numberToSkip, int limit, int batchSize,
                                             Document fieldSelector) {
            Iterable<Object> candidates = UniqueIndexLookup.candidates(getIndexes(), query);
            return candidates == null
                ? super.queryDocuments(query, orderBy, numberToSkip, limit, batchSize, fieldSelector)
                : matchDocuments(query, candidates, orderBy, numberToSkip, limit, batchSize, fieldSelector);
        }

        /** Only the documents it stored go on to the oplog (see {@link StoredInserts}). */
        @Override
        public List<Document> insertDocuments(List<Document> documents, boolean isOrdered) {
            List<Document> writeErrors = super.insertDocuments(documents, isOrdered);
            StoredInserts.keepOnlyStored(documents, writeErrors, isOrdered);
            return writeErrors;
        }
    }
}
