// The BFF's contract, re-exported for the frontend (types only; the contract is owned by the BFF).
export type * from '../../../backend/src/api/contract';
