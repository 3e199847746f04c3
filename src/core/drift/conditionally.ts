import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

/** A conditional write: false when its condition did not hold (the item was not there). */
export async function conditionally(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) return false;
    throw err;
  }
}
