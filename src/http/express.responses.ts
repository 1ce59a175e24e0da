import type { Response } from 'express';
import type { HttpResponse, ResponseWriter } from './http';

const express = (res: HttpResponse) => res as unknown as Response;

/** Responses on Express: its own res.cookie (the design's `j:` cookie), res.redirect, res.json. */
export const expressResponses: ResponseWriter = {
  setCookie: (res, name, value, options) => void express(res).cookie(name, value, options),
  clearCookie: (res, name, options) => void express(res).clearCookie(name, options),
  setHeader: (res, name, value) => void express(res).setHeader(name, value),
  headersSent: (res) => express(res).headersSent,
  sendJson: (res, status, body) => void express(res).status(status).json(body),
  sendHtml: (res, status, headers, html) => void express(res).status(status).set(headers).type('html').send(html),
  redirect: (res, status, url) => express(res).redirect(status, url),
};
