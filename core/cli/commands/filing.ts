// `cli filing …`: counter filing (备案) and its upload queue.
//   filing submit [--operator ID] [--operator-name NAME] < request.json   new / change / stop (kind in the JSON)
//   filing list --month YYYY-MM | --psn PSN_NO
//   filing queue                                     upload states, and the uploads needing a person
//   filing upload [--endpoint URL]                   send what is due to the platform (endpoint: institution.platformEndpoint)
//   filing retry UPLOAD_ID                           send an ambiguous/rejected/dead upload again
//   filing form FILING_ID [--out FILE]               the 审定表 (seed 003 附件2) as HTML
//   filing settings [--public yes|no] [--codes national|local]   公立 or not (Lincang files only at public institutions); 2503/2504 or 2562/2563
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { resolveDataDir } from '../../config/paths.ts';
import { openDatabase } from '../../store/db.ts';
import { InputError } from '../../contract/problems.ts';
import { fileAtCounter, filingInstitution, qualificationForm, retryUpload, uploadFilings } from '../../filing/index.ts';
import { platformFilingTransport } from '../../filing/transport.ts';
import { cryptoOption, PlatformClient } from '../../platform/client.ts';
import { loadPlatformConfig } from '../../platform/config.ts';
import { getSetting, setSetting } from '../../store/settings.ts';
import { filingsBetween, filingsOf, uploadCounts, uploadsNeedingAttention } from '../../store/filing.ts';
import { monthRange, isMonth } from '../../supervision/dates.ts';
import { maskCertno, maskName } from '../../identity/mask.ts';
import { EXIT_OK, parseJson, type Command } from '../io.ts';

function usage(message: string, messageZh: string): InputError {
  return new InputError('INVALID_ARGUMENT', message, messageZh, [{ path: '', code: 'INVALID_ARGUMENT', message, messageZh }]);
}

export const filingCommand: Command = {
  name: 'filing',
  usage: 'filing submit|list|queue|upload|retry|form|settings …  [--data DIR]',
  summary: 'two-disease filing at the counter (new, change, stop), its upload queue and the 审定表',
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { data: { type: 'string' }, operator: { type: 'string', default: 'counter' }, 'operator-name': { type: 'string', default: '柜台' }, month: { type: 'string' }, psn: { type: 'string' }, out: { type: 'string' }, endpoint: { type: 'string' }, public: { type: 'string' }, codes: { type: 'string' } },
    });
    const [sub, arg] = positionals;
    const db = openDatabase(resolveDataDir(values.data));
    try {
      if (sub === 'submit') {
        const request = parseJson(await io.readStdin(), 'the filing request on standard input');
        const inst = filingInstitution(db);
        const out = fileAtCounter(db, { request: request as never, institution: inst, operator: { id: values.operator!, name: values['operator-name']! }, codeSet: inst.codeSet });
        const p = out.filing.patientAfter;
        io.stdout(
          JSON.stringify(
            {
              filing: { id: out.filing.id, kind: out.filing.kind, psnNo: out.filing.psnNo, date: out.filing.filedOn, conditions: out.filing.conditionsAfter, status: p.status },
              patient: { name: maskName(p.name), certno: maskCertno(p.certno) },
              uploads: out.uploads.map((u) => ({ id: u.id, action: u.action, infno: u.infno, disease: u.disease, status: u.status })),
              summary: out.summary,
              summaryZh: out.summaryZh,
            },
            null,
            2,
          ) + '\n',
        );
      } else if (sub === 'list') {
        let rows;
        if (values.psn) rows = filingsOf(db, values.psn);
        else if (values.month && isMonth(values.month)) {
          const { first, last } = monthRange(values.month);
          rows = filingsBetween(db, first, last);
        } else throw usage('give --month YYYY-MM or --psn PSN_NO', '请用 --month 或 --psn 指定');
        io.stdout(JSON.stringify(rows.map((f) => ({ id: f.id, kind: f.kind, psnNo: f.psnNo, date: f.filedOn, reason: f.reason, before: f.conditionsBefore, after: f.conditionsAfter, doctor: f.doctorName, operator: f.operatorName })), null, 2) + '\n');
      } else if (sub === 'queue') {
        io.stdout(JSON.stringify({ counts: uploadCounts(db), needsAttention: uploadsNeedingAttention(db) }, null, 2) + '\n');
      } else if (sub === 'upload') {
        const inst = filingInstitution(db);
        const endpoint = values.endpoint ?? getSetting(db, 'institution.platformEndpoint');
        if (!endpoint) throw usage('no platform endpoint: set institution.platformEndpoint or pass --endpoint URL', '未配置医保平台地址');
        const platformConfig = loadPlatformConfig();
        const region = platformConfig.region(inst.policy);
        const client = new PlatformClient(endpoint, { path: region.transport.path, ...cryptoOption(platformConfig) });
        try {
          const transport = platformFilingTransport(db, { client, region, institution: { code: inst.code, name: inst.name }, operator: { id: values.operator!, name: values['operator-name']! } });
          const counts = await uploadFilings(db, transport);
          io.stdout(JSON.stringify({ sent: counts, queue: uploadCounts(db) }, null, 2) + '\n');
        } finally {
          client.close();
        }
      } else if (sub === 'retry') {
        if (!arg) throw usage('give the upload id', '请提供上传记录编号');
        retryUpload(db, arg);
        io.stdout(JSON.stringify({ id: arg, status: 'pending' }) + '\n');
      } else if (sub === 'form') {
        if (!arg) throw usage('give the filing id', '请提供备案记录编号');
        const inst = filingInstitution(db);
        const html = qualificationForm(db, arg, inst.name, inst.policy);
        if (values.out) {
          writeFileSync(values.out, html);
          io.stderr(`wrote ${values.out}\n`);
        } else io.stdout(html);
      } else if (sub === 'settings') {
        const now = new Date().toISOString();
        if (values.public !== undefined) {
          if (!/^(yes|no)$/.test(values.public)) throw usage('--public is yes or no', '--public 取值为 yes 或 no');
          setSetting(db, 'filing.public', values.public as 'yes' | 'no', now);
        }
        if (values.codes !== undefined) {
          if (!/^(national|local)$/.test(values.codes)) throw usage('--codes is national (2503/2504) or local (2562/2563)', '--codes 取值为 national 或 local');
          setSetting(db, 'filing.codes', values.codes as 'national' | 'local', now);
        }
        io.stdout(JSON.stringify({ public: getSetting(db, 'filing.public'), codes: getSetting(db, 'filing.codes') ?? 'national' }) + '\n');
      } else throw usage('filing submit|list|queue|upload|retry|form|settings', '子命令：submit、list、queue、upload、retry、form、settings');
    } finally {
      db.close();
    }
    return EXIT_OK;
  },
};
