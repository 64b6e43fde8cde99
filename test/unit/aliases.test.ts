import { z } from 'zod';
import { withAliases } from '../../api/schemas/aliases';

describe('withAliases', () => {
  const schema = withAliases(
    {
      product_id: z.number().int(),
      price: z.string().transform((v) => Math.round(Number(v) * 100)),
      user_type: z.enum(['a', 'b']).default('a'),
      note: z.string().optional(),
    },
    { product_id: 'producto_id', price: 'precio', user_type: 'tipo_usuario' },
  );

  it('accepts the English name or the Spanish alias and returns English names', () => {
    expect(schema.parse({ producto_id: 3, price: '0.29' })).toEqual({ product_id: 3, price: 29, user_type: 'a' });
    expect(schema.parse({ product_id: 3, precio: '19.99', tipo_usuario: 'b', note: 'x' })).toEqual({
      product_id: 3,
      price: 1999,
      user_type: 'b',
      note: 'x',
    });
  });

  it('runs each transform once', () => {
    expect(schema.parse({ product_id: 1, precio: '0.29' }).price).toBe(29);
  });

  it('reports a missing or invalid field under its alias', () => {
    const result = schema.safeParse({ precio: '1', tipo_usuario: 'c' });
    expect(result.success).toBe(false);
    const paths = result.error!.issues.map((i) => i.path.join('.'));
    expect(paths.sort()).toEqual(['producto_id', 'tipo_usuario']); // both at once, under the aliases
  });
});
