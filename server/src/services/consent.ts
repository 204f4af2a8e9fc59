/** The ESIGN Act / UETA consumer disclosure a signer accepts before signing electronically. */
export function consentText(version: string): string {
  return [
    `Electronic Record and Signature Disclosure (version ${version})`,
    '',
    'You are asked to sign this agreement electronically. Before you do, please read this notice.',
    '',
    '1. Consent. By selecting "I agree" you consent to receive this agreement and related records ' +
      'electronically and to sign it with an electronic signature, which has the same legal effect ' +
      'as a handwritten signature under the U.S. Electronic Signatures in Global and National ' +
      'Commerce Act (ESIGN) and the Uniform Electronic Transactions Act (UETA).',
    '2. Paper copies. You may ask the sender for a paper copy of any record at no charge.',
    '3. Withdrawing consent. You may withdraw your consent before you finish signing by declining ' +
      'to sign. Withdrawal does not affect records you have already signed.',
    '4. Hardware and software. You need a device with a current web browser that can display PDF ' +
      'documents, and the ability to download or print them to keep a copy.',
    '5. Records. After everyone has signed you can download the completed, digitally sealed ' +
      'document with the same link. A record of this consent, with the time, your IP address and ' +
      'device, is kept in the audit trail of the agreement.',
  ].join('\n');
}
