import { z } from 'zod';

/** The `mi-empresa/routers` list, in the shape panels written for the previous service read. */
export const MyRoutersResponse = z.object({
  empresa_id: z.string(),
  total: z.number(),
  routers: z.array(
    z.object({
      id: z.string(),
      nombre: z.string(),
      host: z.string(),
      ubicacion: z.string().nullable(),
      activo: z.boolean(),
      creado_en: z.string(),
    }),
  ),
});
