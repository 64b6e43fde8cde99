import { z } from 'zod';
import { readMacAddress } from '../../domain/network';
import { DeviceIp, DeviceMac } from '../../api/schemas/portal/device';
import { laxBoolean, laxInteger, laxNumber } from '../../api/schemas/portal/lax';

/** Portal input read as the previous service's validators (pydantic, lax mode) read it; checked value by value. */
describe('lenient portal input', () => {
  const typeOf = (schema: z.ZodType, value: unknown) => {
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    const [issue] = parsed.error.issues;
    return (issue.code === 'custom' ? (issue.params as { type?: string } | undefined)?.type : undefined) ?? issue.code;
  };

  it('takes integers as numbers or integer text, and names what is wrong otherwise', () => {
    const id = laxInteger(z.number().int().positive());
    expect([3, '3', ' 3 ', '3.0', 3.0, '+3'].map((v) => typeOf(id, v))).toEqual([3, 3, 3, 3, 3, 3]);
    expect([3.5, 'uno', '3.5', '0x10', '', '1e2'].map((v) => typeOf(id, v))).toEqual([
      'int_from_float',
      'int_parsing',
      'int_parsing',
      'int_parsing',
      'int_parsing',
      'int_parsing',
    ]);
    expect([true, null, {}, []].map((v) => typeOf(id, v))).toEqual(['int_type', 'int_type', 'int_type', 'int_type']);
    expect(typeOf(id, '0')).toBe('too_small');
  });

  it('takes amounts as numbers or decimal text, never NaN or Infinity', () => {
    const amount = laxNumber(z.number().positive());
    expect([20, '20.00', '20', '.5', '1e1'].map((v) => typeOf(amount, v))).toEqual([20, 20, 20, 0.5, 10]);
    expect(['veinte', '20,00', '$20', 'NaN', 'Infinity'].map((v) => typeOf(amount, v))).toEqual(Array(5).fill('float_parsing'));
    expect(typeOf(amount, false)).toBe('float_type');
  });

  it('takes booleans as booleans, 0/1 or their usual words; null or absent is the default', () => {
    const flag = laxBoolean(false);
    expect([true, 'true', 'TRUE', '1', 1, 'yes', 'on', 't', 'y'].map((v) => typeOf(flag, v))).toEqual(Array(9).fill(true));
    expect([false, 'false', '0', 0, 'no', 'off', 'F', null, undefined].map((v) => typeOf(flag, v))).toEqual(Array(9).fill(false));
    expect(['si', 2, 'quizá'].map((v) => typeOf(flag, v))).toEqual(['bool_parsing', 'bool_parsing', 'bool_parsing']);
    expect(typeOf(flag, [])).toBe('bool_type');
  });

  it('reads MACs written with colons, dashes, Cisco dots or no separators', () => {
    expect(['aa:bb:cc:dd:ee:0f', 'AA-BB-CC-DD-EE-0F', 'aabbccddee0f', 'aabb.ccdd.ee0f'].map(readMacAddress)).toEqual(Array(4).fill('AA:BB:CC:DD:EE:0F'));
    expect(['aa:bb-cc:dd:ee:0f', 'aabbccddee', 'gg:bb:cc:dd:ee:0f', 'AA:BB:CC:DD:EE:FF"; /system reset'].map(readMacAddress)).toEqual(Array(4).fill(undefined));
  });

  it('keeps a usable device address and says why another one is not', () => {
    expect(DeviceMac.parse('aa-bb-cc-dd-ee-0f')).toEqual({ address: 'AA:BB:CC:DD:EE:0F' });
    expect(['', null, undefined, '  '].map((v) => DeviceMac.parse(v))).toEqual(Array(4).fill({ problem: 'missing' }));
    expect([DeviceMac.parse('$(mac)'), DeviceIp.parse('$(ip)')]).toEqual([{ problem: 'unsubstituted' }, { problem: 'unsubstituted' }]);
    expect([DeviceMac.parse('no-es-mac'), DeviceIp.parse('300.1.1.1')]).toEqual([{ problem: 'invalid' }, { problem: 'invalid' }]);
    expect(DeviceIp.parse(' 10.5.50.2 ')).toEqual({ address: '10.5.50.2' });
    expect(DeviceMac.safeParse(5).success).toBe(false);
  });
});
