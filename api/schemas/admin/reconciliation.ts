import { z } from 'zod';
import { RECONCILE_FINDING_KINDS } from '../../../domain/reconciliation';
import { PageQuery } from './common';

export const ReconciliationRunsQuery = PageQuery;

const Counts = z.partialRecord(z.enum(RECONCILE_FINDING_KINDS), z.number().int());

export const ReconciliationFindingResponse = z.object({
  id: z.number(),
  tipo: z.enum(RECONCILE_FINDING_KINDS),
  empresa_id: z.string().nullable(),
  compra_id: z.string().nullable(),
  gateway: z.string().nullable(),
  referencia: z.string().nullable(),
  detalle: z.record(z.string(), z.unknown()),
  creado_en: z.string(),
});

export const ReconciliationRunResponse = z.object({
  id: z.string(),
  origen: z.enum(['schedule', 'admin']),
  estado: z.enum(['running', 'completed', 'failed']).describe('`failed`: some gateway account could not be searched (see `errores`)'),
  iniciada_en: z.string(),
  terminada_en: z.string().nullable(),
  ventana_desde: z.string().nullable(),
  ventana_hasta: z.string().nullable(),
  llamadas_gateway: z.number().int().describe('Searches and refunds the run asked of the gateways'),
  conteos: Counts.describe('Findings per kind (a company admin: its company only)'),
  errores: z.array(z.object({ gateway: z.string(), codigo: z.string() })),
  hallazgos: z.array(ReconciliationFindingResponse).describe('The first 100 findings (a company admin: its company only)'),
});

export const ReconciliationRunsResponse = z.object({
  total: z.number(),
  limit: z.number(),
  offset: z.number(),
  ejecuciones: z.array(ReconciliationRunResponse),
});

export const ReconciliationStartedResponse = z.object({
  id: z.string().describe('The run (its workflow id): it appears in the list of runs'),
  estado: z.literal('running'),
});
