import { mongo } from 'mongoose';
import { isDuplicateKeyError } from './mongo-errors';

export interface ClaimDocument {
  _id: string;
  takenAt: Date;
}

/**
 * Takes the claim `_id` for exactly one of any number of concurrent callers, on servers
 * whose only atomic compare-and-set is a unique insert (FerretDB v1 evaluates the filter of
 * an update or delete and writes in separate steps).
 *
 * A claim held longer than `staleAfterMs` was abandoned by a dead holder and is taken over.
 * The takeover is itself a unique insert: the marker `<claim>@<takenAt of the abandoned
 * holder>` goes to one caller, which then restamps the claim. A conditional delete would not
 * do: a late delete can remove the new holder's claim (measured: 4 of 6 callers "won").
 */
export async function takeUniqueClaim(claims: mongo.Collection<ClaimDocument>, _id: string, staleAfterMs: number): Promise<boolean> {
  if (await insertedFirst(claims, _id)) return true;
  const held = await claims.findOne({ _id });
  if (!held || Date.now() - held.takenAt.getTime() < staleAfterMs) return false;
  if (!(await insertedFirst(claims, `${_id}@${held.takenAt.getTime()}`))) return false;
  // Only this caller holds the marker for that holder, so only it restamps the claim; should
  // it die too, the next takeover races for the marker of the new stamp.
  await claims.updateOne({ _id }, { $set: { takenAt: new Date() } });
  return true;
}

async function insertedFirst(claims: mongo.Collection<ClaimDocument>, _id: string): Promise<boolean> {
  try {
    await claims.insertOne({ _id, takenAt: new Date() });
    return true;
  } catch (error) {
    if (isDuplicateKeyError(error)) return false;
    throw error;
  }
}
