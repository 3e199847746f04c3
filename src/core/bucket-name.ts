/**
 * A module of its own because the configuration checks the template bucket's name too, and every
 * function loads the configuration: not in ./request-schema.ts (valibot and every request field),
 * nor in src/checks/s3/ (the drift dispatcher reaches no check folder: test/bundles.test.ts).
 */

/** S3's bucket naming rules for general purpose buckets. */
export function bucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return 'must be 3 to 63 characters';
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)) {
    return 'not a valid bucket name: lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit';
  }
  if (name.includes('..')) return 'not a valid bucket name: two adjacent dots';
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return 'not a valid bucket name: formatted as an IP address';
  if (/^(xn--|sthree-|amzn-s3-demo-)/.test(name) || /(-s3alias|--ol-s3|--x-s3|--table-s3)$/.test(name)) {
    return 'not a valid bucket name: reserved prefix or suffix';
  }
  return undefined;
}
