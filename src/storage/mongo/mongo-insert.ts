import type { Document, mongo } from 'mongoose';

/** What insertChecked needs of a model (a structural type: mongoose's Model generics check slowly and brittly). */
interface Insertable<T> {
  new (doc: T): Pick<Document, 'validateSync' | 'toObject'>;
  collection: Pick<mongo.Collection, 'insertOne'>;
}

/**
 * Inserts one document as Model.create would (the schema's defaults, types and strict mode
 * checked first), but through the driver's insertOne: mongoose's save() does not pass
 * `maxTimeMS` on, and every command of the store carries one.
 */
export async function insertChecked<T>(model: Insertable<T>, doc: T, maxTimeMS: number): Promise<void> {
  const checked = new model(doc);
  const invalid = checked.validateSync();
  if (invalid) throw invalid;
  await model.collection.insertOne(checked.toObject(), { maxTimeMS });
}
