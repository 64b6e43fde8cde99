import { RouterState } from '../../../sandbox/routeros/state';
import { runScript, ScriptError } from '../../../sandbox/routeros/script';

describe('RouterOS script interpreter', () => {
  it('runs conditionals, finds and interpolation as /import would', () => {
    const state = new RouterState({ version: '7.18' });
    const output = runScript(state, [
      '{ :local n "guest"',
      ':if ([:len [/user group find where name=$n]] = 0) do={ /user group add name=$n policy=read,api }',
      ':put "group $n added, \\$5" }',
    ].join('\n'));
    expect(output).toEqual(['group guest added, $5']);
    expect(runScript(state, ':put [:len [/user group find where name="guest"]]')).toEqual(['1']);
  });

  it.each([
    ['an unknown command', '/ip hotspot walled-garden frobnicate', /bad command name/],
    ['an undeclared variable', ':put $nothing', /undeclared variable/],
    ['a top-level :local used on the next line', ':local a "x"\n:put $a', /undeclared variable/],
    ['a RouterOS trap', '/user add name="x" group="nope"', /input does not match any value of group/],
    ['a missing }', ':if (1 = 1) do={ :put "x"', /missing }/],
  ])('refuses %s', (_, source, message) => {
    expect(() => runScript(new RouterState(), source)).toThrow(message);
  });

  it('accepts the v7 slash form only on v7', () => {
    expect(runScript(new RouterState({ version: '7.18' }), ':put [:len [/ip/hotspot/find]]')).toEqual(['1']);
    expect(() => runScript(new RouterState({ version: '6.49.10' }), ':put [:len [/ip/hotspot/find]]')).toThrow(ScriptError);
  });
});
