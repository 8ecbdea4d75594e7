/**
 * A fake ML Hub server behind the mocked HTTP seam. A spec file mocks the seam with
 *   jest.mock('<path>/request', () => jest.requireActual('<path>/__tests__/http').mockedRequest());
 * and answers routes with {@link serve}: `'METHOD path?query'` to a body, an Error to
 * throw, or a function of the request's init (its JSON body parsed) returning either.
 */
import { MLHubRequestError } from '../request';

type Answer = unknown | ((body: unknown) => unknown);

export interface ICall {
  /** `'METHOD path'`, as in the routes. */
  route: string;
  /** The request's JSON body, parsed (undefined without one). */
  body: unknown;
}

let routes: Record<string, Answer> = {};
let calls: ICall[] = [];

/** The request module with `requestAPI` answered from the routes. */
export function mockedRequest(): Record<string, unknown> {
  const actual = jest.requireActual('../request');
  return {
    ...actual,
    requestAPI: jest.fn(async (path = '', init: RequestInit = {}) => {
      const route = `${init.method ?? 'GET'} ${path}`;
      const body = typeof init.body === 'string' ? JSON.parse(init.body) : undefined;
      calls.push({ route, body });
      if (!(route in routes)) {
        throw new MLHubRequestError(404, 'not_found', `no fake route for ${route}`);
      }
      const answer = routes[route];
      const value = typeof answer === 'function' ? await answer(body) : answer;
      if (value instanceof Error) {
        throw value;
      }
      return value;
    })
  };
}

/** Answer these routes from now on (replacing earlier ones); returns the calls made. */
export function serve(next: Record<string, Answer>): ICall[] {
  routes = next;
  calls = [];
  return calls;
}

/** Add or replace some routes, keeping the calls recorded so far. */
export function route(more: Record<string, Answer>): void {
  routes = { ...routes, ...more };
}

/** The routes called, in order. */
export function called(): string[] {
  return calls.map(c => c.route);
}

/** A server error as `requestAPI` throws it. */
export function refused(status: number, code: string, message: string): MLHubRequestError {
  return new MLHubRequestError(status, code, message);
}

/** Resolve after pending promise callbacks and zero-delay timers ran. */
export function settle(): Promise<void> {
  return new Promise(resolve => setTimeout(resolve, 0));
}
