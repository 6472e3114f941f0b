package dev.zapdesk.embeddedmongo;

import java.util.List;
import java.util.TreeSet;

import de.bwaldvogel.mongo.bson.Document;

/**
 * mongo-java-server 1.47 writes every document of an insert command to the oplog, also those a
 * unique index refused and, in an ordered insert, those after the refusal that were never tried.
 * Change streams then announce inserts that did not happen, with the refused content under a key
 * another document holds (seen: an event-log entry announced under a sequence number another
 * instance had taken, then again under its real number). MongoDB logs only what was stored.
 *
 * The database hands the same list to the collection and then to the oplog, so the collection
 * removes what it did not store from that list before the oplog sees it.
 */
final class StoredInserts {

    private StoredInserts() {
    }

    /** Leaves in {@code documents} only those the insert stored, given its write errors. */
    static void keepOnlyStored(List<Document> documents, List<Document> writeErrors, boolean ordered) {
        if (writeErrors.isEmpty()) {
            return;
        }
        TreeSet<Integer> refused = new TreeSet<>();
        for (Document error : writeErrors) {
            Object index = error.get("index");
            if (index instanceof Number number) {
                refused.add(number.intValue());
            }
        }
        if (refused.isEmpty()) {
            return;
        }
        try {
            if (ordered) {
                // An ordered insert stops at its first refusal: nothing after it was stored.
                documents.subList(refused.first(), documents.size()).clear();
            } else {
                for (int index : refused.descendingSet()) {
                    if (index < documents.size()) {
                        documents.remove(index);
                    }
                }
            }
        } catch (UnsupportedOperationException e) {
            System.err.println("[embedded-mongo] cannot keep refused inserts out of the oplog: " + e);
        }
    }
}
