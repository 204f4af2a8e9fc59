import { AuthService } from './auth.ts';
import { ClauseService } from './clauses.ts';
import type { ServiceDeps } from './context.ts';
import { DocumentService } from './documents.ts';
import { EmbedTokenService } from './embed-tokens.ts';
import { EnvelopeService } from './envelopes.ts';
import { SealService } from './seal.ts';
import { SigningService } from './signing.ts';
import { TemplateService } from './templates.ts';

export interface Services {
  deps: ServiceDeps;
  auth: AuthService;
  clauses: ClauseService;
  documents: DocumentService;
  embedTokens: EmbedTokenService;
  templates: TemplateService;
  envelopes: EnvelopeService;
  signing: SigningService;
  seal: SealService;
}

export function createServices(deps: ServiceDeps): Services {
  const seal = new SealService(deps);
  return {
    deps,
    auth: new AuthService(deps),
    clauses: new ClauseService(deps),
    documents: new DocumentService(deps),
    embedTokens: new EmbedTokenService(deps),
    templates: new TemplateService(deps),
    envelopes: new EnvelopeService(deps),
    signing: new SigningService(deps, seal),
    seal,
  };
}
