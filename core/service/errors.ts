// A business rule refused the request (not malformed input): the HTTP API answers 409.
import { InputError } from '../contract/problems.ts';

export class ServiceRefusal extends InputError {}
