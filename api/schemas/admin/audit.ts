import { z } from 'zod';
import { IdParam } from '../common';
import { DateRangeQuery, PageQuery, rangeInOrder } from './common';

export const AuditQuery = PageQuery.extend(DateRangeQuery.shape)
  .extend({
    empresa_id: z.string().trim().max(50).optional(),
    usuario_id: IdParam.optional(),
    /** An action (`router.deleted`) or a family ending in a dot (`purchase.`). */
    accion: z
      .string()
      .trim()
      .regex(/^[a-z_]+\.([a-z_]+)?$/, { error: 'Acción inválida' })
      .optional(),
    objetivo_id: z.string().trim().max(100).optional(),
  })
  .superRefine(rangeInOrder);

export const AuditEntryResponse = z.object({
  id: z.number(),
  creado_en: z.string(),
  actor_id: z.number().nullable(),
  actor_email: z.string().nullable(),
  empresa_id: z.string().nullable(),
  accion: z.string(),
  objetivo_tipo: z.string().nullable(),
  objetivo_id: z.string().nullable(),
  detalle: z.record(z.string(), z.unknown()),
});

export const AuditPageResponse = z.object({
  total: z.number(),
  limit: z.number(),
  offset: z.number(),
  registros: z.array(AuditEntryResponse),
});
