import { mongo } from 'mongoose';

/**
 * One company's document by id. The filter is `{_id}` alone and the company is checked
 * here: FerretDB v1 (SQLite) serves only a bare `_id` equality from an index and scans the
 * whole collection for any other filter, `{_id, companyId}` included.
 */
export async function findOwned<T extends { _id: string; companyId: string }>(
  collection: mongo.Collection<T>,
  companyId: string,
  id: string,
): Promise<T | null> {
  const doc = (await collection.findOne({ _id: id } as mongo.Filter<T>)) as T | null;
  return doc && doc.companyId === companyId ? doc : null;
}
