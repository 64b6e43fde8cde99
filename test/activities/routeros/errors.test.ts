import { RosException } from 'node-routeros';
import { classifyRouterOsError, RouterOsError } from '../../../activities/routeros/errors';

/** node-routeros passes Node's numeric socket errno where its types say string. */
const ros = (errno: string | number, extras?: object) => new RosException(errno as string, extras);

describe('classifyRouterOsError', () => {
  it.each([
    ['a refused connection (errno -111)', ros(-111), 'unreachable', 'ROUTER_UNREACHABLE', true],
    ['an unreachable host (EHOSTUNREACH)', ros('EHOSTUNREACH'), 'unreachable', 'ROUTER_UNREACHABLE', true],
    ['a socket idle timeout', ros('SOCKTMOUT', { seconds: 5 }), 'timeout', 'ROUTER_TIMEOUT', true],
    ['a TCP timeout (errno -110)', ros(-110), 'timeout', 'ROUTER_TIMEOUT', true],
    ['refused credentials', ros('CANTLOGIN'), 'login_refused', 'ROUTER_LOGIN_REFUSED', false],
    ['an unroutable reply', ros('UNREGISTEREDTAG'), 'unknown', 'ROUTER_ERROR', true],
  ])('classifies %s by errno', (_, error, kind, code, retryable) => {
    expect(classifyRouterOsError(error)).toMatchObject({ kind, code, retryable });
  });

  it.each([
    ['failure: already have user with this name for this server', 'already_exists', 'ROUTER_ALREADY_EXISTS', false],
    ['no such item', 'not_found', 'ROUTER_NOT_FOUND', false],
    ['no such item (4)', 'not_found', 'ROUTER_NOT_FOUND', false],
    ['input does not match any value of profile', 'invalid_argument', 'ROUTER_INVALID_ARGUMENT', false],
    ['invalid value for argument ip', 'invalid_argument', 'ROUTER_INVALID_ARGUMENT', false],
    ['invalid user name or password (6)', 'login_refused', 'ROUTER_LOGIN_REFUSED', false],
    ['not enough permissions (9)', 'login_refused', 'ROUTER_LOGIN_REFUSED', false],
    ['no such command prefix', 'unknown', 'ROUTER_ERROR', true],
    ['failure: interrupted', 'unknown', 'ROUTER_ERROR', true],
  ])('classifies the trap "%s" by its text', (message, kind, code, retryable) => {
    const error = classifyRouterOsError(new Error(message), { routerId: 'r1', command: '/ip/hotspot/user/add' });
    expect(error).toMatchObject({
      kind,
      code,
      retryable,
      details: { kind, routerId: 'r1', command: '/ip/hotspot/user/add', trap: message },
    });
  });

  it('uses the original socket error when there is one: a TLS failure is final', () => {
    const cause = Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    expect(classifyRouterOsError(ros(undefined as unknown as string), {}, cause)).toMatchObject({
      kind: 'login_refused',
      retryable: false,
      details: { errno: 'DEPTH_ZERO_SELF_SIGNED_CERT' },
    });
  });

  it('keeps an already classified error and calls anything unexplained unknown (retryable)', () => {
    const known = new RouterOsError('timeout', 'late');
    expect(classifyRouterOsError(known)).toBe(known);
    expect(classifyRouterOsError('ALRDYCONNECTING')).toMatchObject({ kind: 'unknown', retryable: true });
  });

  it('lets a caller pick a more precise domain code', () => {
    const conflict = new RouterOsError('already_exists', 'taken', {}, 'HOTSPOT_USER_CONFLICT');
    expect(conflict).toMatchObject({ code: 'HOTSPOT_USER_CONFLICT', retryable: false, name: 'RouterOsError' });
  });
});
