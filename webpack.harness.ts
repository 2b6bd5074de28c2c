// The standalone harness: the plugin's pages outside the OpenShift console. Same components; the
// console SDK replaced by frontend/src/harness/sdk-shim.tsx; PatternFly CSS loaded (the console
// normally provides it); routes and navigation built from console-extensions.json. Its dev
// server mirrors Bridge: /api/proxy/plugin/hub-migration/backend/* goes to the BFF with the
// prefix stripped and `Authorization: Bearer <token>` added (like a UserToken proxy), and
// non-GET requests must carry X-CSRFToken equal to the `csrf-token` cookie it sets. The user is
// HARNESS_TOKEN unless the browser carries a `harness-token` cookie, which stands in for the
// console's session cookie (browser tests use it to be another user).
//
// Environment: HARNESS_PORT (9000), HARNESS_HOST (127.0.0.1), HARNESS_BFF_URL
// (http://127.0.0.1:9443), HARNESS_TOKEN (demo-admin-token).
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import HtmlWebpackPlugin from 'html-webpack-plugin';
import type { Configuration } from 'webpack';
import type { Configuration as DevServerConfiguration } from 'webpack-dev-server';

const root = import.meta.dirname;
const production = process.env.NODE_ENV === 'production';
const port = Number(process.env.HARNESS_PORT ?? 9000);
const host = process.env.HARNESS_HOST ?? '127.0.0.1';
const bff = process.env.HARNESS_BFF_URL ?? 'http://127.0.0.1:9443';
const token = process.env.HARNESS_TOKEN ?? 'demo-admin-token';
const PROXY = '/api/proxy/plugin/hub-migration/backend';
const PLUGINS = '/api/plugins/hub-migration';

const cookieValue = (header: string | undefined, name: string) =>
  header
    ?.split(';')
    .map((c) => c.trim().split('='))
    .find(([k]) => k === name)?.[1];

const devServer: DevServerConfiguration = {
  host,
  port,
  historyApiFallback: true,
  static: false,
  // Compression would buffer the event stream.
  compress: false,
  hot: false,
  liveReload: !process.env.CI,
  client: { overlay: { errors: true, warnings: false, runtimeErrors: false } },
  headers: { 'Cache-Control': 'no-store' },
  setupMiddlewares: (middlewares, server) => {
    server.app?.use((req, res, next) => {
      // Bridge's CSRF protection: a cookie on every page, echoed as a header on writes.
      let csrf = cookieValue(req.headers.cookie, 'csrf-token');
      if (!csrf) {
        csrf = randomBytes(16).toString('hex');
        res.append('Set-Cookie', `csrf-token=${csrf}; Path=/; SameSite=Strict`);
      }
      if (req.path.startsWith(PROXY)) {
        // The console sends the session's user token; the harness sends the cookie's or its own.
        const user = cookieValue(req.headers.cookie, 'harness-token');
        req.headers.authorization = `Bearer ${user ? decodeURIComponent(user) : token}`;
      }
      const write = !['GET', 'HEAD', 'OPTIONS'].includes(req.method);
      if (write && req.path.startsWith(PROXY) && req.headers['x-csrftoken'] !== csrf) {
        res.status(403).json({
          status: 403,
          reason: 'Forbidden',
          message: 'Invalid CSRF token (the harness mirrors the console proxy).',
        });
        return;
      }
      next();
    });
    return middlewares;
  },
  proxy: [
    {
      context: [PROXY],
      target: bff,
      changeOrigin: true,
      pathRewrite: { [`^${PROXY}`]: '' },
      // Keep the event stream flowing unbuffered.
      proxyTimeout: 0,
      timeout: 0,
      // When the BFF dies mid-response (the event stream, above all), drop the browser's
      // connection too, as Bridge does: http-proxy would leave it open and silent forever, and
      // the page would never know it has to reconnect.
      onProxyRes: (proxyRes, _req, res) => {
        proxyRes.on('close', () => {
          if (!proxyRes.complete) res.destroy();
        });
      },
    },
    {
      // The real plugin build as the console would load it (smoke check of the manifest).
      context: [PLUGINS],
      target: bff,
      changeOrigin: true,
      pathRewrite: { [`^${PLUGINS}`]: '/plugin' },
    },
  ],
};

const config: Configuration & { devServer: DevServerConfiguration } = {
  mode: production ? 'production' : 'development',
  context: path.join(root, 'frontend/src'),
  entry: { harness: './harness/index.tsx' },
  output: {
    path: path.join(root, 'dist/harness'),
    filename: production ? '[name].[contenthash].js' : '[name].js',
    chunkFilename: production ? '[name].[contenthash].js' : '[name].js',
    publicPath: '/',
    clean: true,
  },
  resolve: {
    extensions: ['.ts', '.tsx', '.js', '.jsx'],
    alias: {
      '@openshift-console/dynamic-plugin-sdk$': path.join(
        root,
        'frontend/src/harness/sdk-shim.tsx',
      ),
    },
  },
  module: {
    rules: [
      {
        test: /\.(tsx?|jsx?)$/,
        exclude: /node_modules/,
        use: {
          loader: 'swc-loader',
          options: {
            jsc: {
              parser: { syntax: 'typescript', tsx: true },
              transform: { react: { runtime: 'automatic' } },
              target: 'es2021',
            },
          },
        },
      },
      { test: /\.css$/, use: ['style-loader', 'css-loader'] },
      {
        test: /\.(png|jpg|jpeg|gif|svg|woff2?|ttf|eot|otf)$/,
        type: 'asset/resource',
        generator: { filename: 'assets/[name].[contenthash][ext]' },
      },
      { test: /\.m?js$/, resolve: { fullySpecified: false } },
    ],
  },
  plugins: [
    new HtmlWebpackPlugin({
      title: 'Hub Migration',
      templateContent:
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Hub Migration</title></head><body><div id="root"></div></body></html>',
    }),
  ],
  devtool: production ? false : 'eval-cheap-module-source-map',
  performance: { hints: false },
  infrastructureLogging: { level: 'warn' },
  devServer,
};

export default config;
