// Placeholder until the core lands; replaced in the same issue.
export const handler = async () => ({ statusCode: 501, body: '{"error":{"code":"NotImplemented","message":"checks"}}' });
