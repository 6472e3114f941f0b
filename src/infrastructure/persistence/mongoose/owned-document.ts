import { mongo } from 'mongoose';

/** One company's document by id: tenancy is part of the filter, served by the `_id` index. */
export async function findOwned<T extends { _id: string; companyId: string }>(
  collection: mongo.Collection<T>,
  companyId: string,
  id: string,
): Promise<T | null> {
  return (await collection.findOne({ _id: id, companyId } as mongo.Filter<T>)) as T | null;
}
