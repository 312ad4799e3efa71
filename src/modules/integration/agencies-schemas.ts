import { z } from 'zod';
import { CATEGORIES } from '../catalog/schemas.js';
export { errorReply } from '../identity/schemas.js';

// Input and output shapes of the agencies API (the same ones produce the OpenAPI document).
// Inputs are checked by the service too, which names each wrong field in a localized 400.

const code = z.string().max(40).meta({ example: 'abfa-mazandaran' });
const text = z.object({ fa: z.string(), en: z.string() });
export const agencyParams = z.object({ agency: code });
export const serviceParams = z.object({ agency: code, code: z.string().max(40).meta({ example: 'water-connection' }) });

export const agencyBody = z.object({
  code: code.optional().meta({ description: 'Lower-case Latin letters, digits and dashes; set once, when the agency is registered.' }),
  name_fa: z.string().max(200).meta({ example: 'شرکت آب و فاضلاب استان مازندران' }),
  name_en: z.string().max(200).meta({ example: 'Mazandaran Water and Wastewater Company' }),
  website: z.string().max(500).nullable().optional().meta({ example: 'https://example.org/abfa' }),
});

export const externalServiceBody = z.object({
  code: z.string().max(40).optional().meta({ description: 'Set once, when the service is added.', example: 'water-connection' }),
  title_fa: z.string().max(200).meta({ example: 'درخواست انشعاب آب' }),
  title_en: z.string().max(200).optional(),
  description_fa: z.string().max(2000),
  description_en: z.string().max(2000).optional(),
  documents: z.array(z.object({ fa: z.string().max(300), en: z.string().max(300).optional() })).max(30).optional(),
  maturity: z.number().int().meta({ description: '1 web presence, 2 interactive, 3 transactional, 4 integrated, 5 participatory.', example: 3 }),
  url: z.string().max(500).meta({ description: 'Where the service is done (https).', example: 'https://example.org/abfa/connection' }),
  category: z.string().meta({ description: `One of: ${CATEGORIES.join(', ')}.`, example: 'property' }),
  active: z.boolean().optional().meta({ description: 'Listed in the single window (default true).' }),
});

export const agencyReply = z.object({
  code: z.string(), name: text, website: z.string().nullable(), active_services: z.number().int(), created_at: z.string(),
});

export const externalServiceReply = z.object({
  id: z.string(), agency: z.object({ code: z.string(), name: text, website: z.string().nullable() }), code: z.string(), title: text, description: text,
  documents: z.array(text), maturity: z.number().int(), url: z.string(), category: z.string(), active: z.boolean(),
  page: z.string().meta({ description: 'The service\'s page in the single window.' }), created_at: z.string(), updated_at: z.string(),
});

export const agenciesReply = z.object({ items: z.array(agencyReply) }).meta({
  example: { items: [
    { code: 'abfa-mazandaran', name: { fa: 'شرکت آب و فاضلاب استان مازندران', en: 'Mazandaran Water and Wastewater Company' }, website: 'https://example.org/demo/abfa-mazandaran', active_services: 3, created_at: '2026-11-28T09:00:00.000Z' },
    { code: 'sabt-mazandaran', name: { fa: 'اداره کل ثبت اسناد و املاک استان مازندران', en: 'Mazandaran Registration of Deeds and Properties' }, website: 'https://example.org/demo/sabt-mazandaran', active_services: 2, created_at: '2026-11-28T09:00:00.000Z' },
  ] },
});
export const agencyDetailReply = z.object({ agency: agencyReply, services: z.array(externalServiceReply) });
