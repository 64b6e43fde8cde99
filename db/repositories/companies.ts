import type { EntityManager } from 'typeorm';
import { DomainError } from '../../domain/errors';
import { notConfiguredMessage } from '../../domain/messages';
import type { Gateway } from '../../domain/purchase';
import { CompanyEntity } from '../entities';

/** A company by id, or NOT_FOUND. */
export async function findCompany(manager: EntityManager, id: string): Promise<CompanyEntity> {
  const company = await manager.getRepository(CompanyEntity).findOneBy({ id });
  if (!company) throw new DomainError('NOT_FOUND', 'Empresa no encontrada');
  return company;
}

/** Whether the company can charge through `gateway`: with its own private credential, or for Conekta the platform's default key. */
export function canCharge(company: CompanyEntity, gateway: Gateway, conektaDefaultPrivateKey: string): boolean {
  return gateway === 'conekta'
    ? Boolean(company.conektaPrivateKeyEncrypted || conektaDefaultPrivateKey)
    : Boolean(company.mercadoPagoAccessTokenEncrypted);
}

/** The company, refused with PAYMENT_NOT_CONFIGURED unless it can charge through `gateway`. */
export async function findChargingCompany(
  manager: EntityManager,
  id: string,
  gateway: Gateway,
  conektaDefaultPrivateKey: string,
): Promise<CompanyEntity> {
  return requireCharging(await manager.getRepository(CompanyEntity).findOneByOrFail({ id }), gateway, conektaDefaultPrivateKey);
}

/** The company, refused with PAYMENT_NOT_CONFIGURED unless it can charge through `gateway` (its row read already). */
export function requireCharging(company: CompanyEntity, gateway: Gateway, conektaDefaultPrivateKey: string): CompanyEntity {
  if (!canCharge(company, gateway, conektaDefaultPrivateKey)) throw new DomainError('PAYMENT_NOT_CONFIGURED', notConfiguredMessage(gateway));
  return company;
}
