// A business rule refused the request (not malformed input): the HTTP API answers 409. The class
// lives in core/contract so the sale pipeline (core/sale) can raise it without importing the service.
export { Refusal as ServiceRefusal } from '../contract/problems.ts';
