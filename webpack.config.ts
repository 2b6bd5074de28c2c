// The console plugin build: ConsoleRemotePlugin turns the modules exposed in package.json's
// `consolePlugin` into a module-federation container plus plugin-manifest.json. Run from the
// repository root (the plugin reads package.json and console-extensions.json from the cwd).
import path from 'node:path';
import { ConsoleRemotePlugin } from '@openshift-console/dynamic-plugin-sdk-webpack';
import CopyWebpackPlugin from 'copy-webpack-plugin';
import type { Configuration } from 'webpack';

const root = import.meta.dirname;
const production = process.env.NODE_ENV === 'production';

const config: Configuration = {
  mode: production ? 'production' : 'development',
  context: path.join(root, 'frontend/src'),
  // ConsoleRemotePlugin adds the container entry itself.
  entry: {},
  output: {
    path: path.join(root, 'dist/plugin'),
    filename: production ? '[name]-bundle-[contenthash].min.js' : '[name]-bundle.js',
    chunkFilename: production ? '[name]-chunk-[chunkhash].min.js' : '[name]-chunk.js',
    clean: true,
  },
  resolve: {
    extensions: ['.ts', '.tsx', '.js', '.jsx'],
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
    new ConsoleRemotePlugin(),
    new CopyWebpackPlugin({
      patterns: [{ from: path.join(root, 'locales'), to: 'locales' }],
    }),
  ],
  devtool: production ? false : 'source-map',
  optimization: {
    chunkIds: production ? 'deterministic' : 'named',
    minimize: production,
  },
  performance: { hints: false },
};

export default config;
