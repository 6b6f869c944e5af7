/**
 * Facebook's appsecret_proof ("Securing Graph API Requests"): the hex HMAC-SHA256 of the access
 * token keyed with the app secret, proving a Graph call comes from the app's server.
 */
import { createHmac } from 'node:crypto';
import { safeEqual } from './crypto-util';

export function appSecretProof(accessToken: string, appSecret: string): string {
  return createHmac('sha256', appSecret).update(accessToken).digest('hex');
}

export function isValidAppSecretProof(proof: string, accessToken: string, appSecret: string): boolean {
  return safeEqual(proof.toLowerCase(), appSecretProof(accessToken, appSecret));
}
