import type { Document, mongo } from 'mongoose';

/** What insertChecked needs of a model; structural, because mongoose's own Model<T> does not type-check as a generic parameter here. */
interface Insertable<T> {
  new (doc: T): Pick<Document, 'validate' | 'toObject'>;
  collection: Pick<mongo.Collection, 'insertOne'>;
}

/**
 * Inserts one document as Model.create would (the schema's defaults, types and strict mode
 * checked first), but through the driver's insertOne: mongoose's save() does not pass
 * `maxTimeMS` on, and every command of the store carries one.
 */
export async function insertChecked<T>(model: Insertable<T>, doc: T, maxTimeMS: number): Promise<void> {
  const checked = new model(doc);
  await checked.validate();
  await model.collection.insertOne(checked.toObject(), { maxTimeMS });
}
